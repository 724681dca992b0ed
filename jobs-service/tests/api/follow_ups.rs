//! Follow-ups: set from the stage history (7 days after applying, 5 after
//! an interview, by default), cleared by progress, and listed by `ListDue`
//! for today, this week or what is overdue, for the caller only.

use shared::proto::jobsearch::jobs::v1::{self as pb, DueWindow, OpportunityStatus, Stage};
use tonic::{Code, Status};
use tonic_types::StatusExt as _;

use crate::{
    helpers::{TestApp, TestUser, authed, now, spawn_app, ts},
    stage_helpers::{DAY, event, get_posting, log, new_posting, posting_parent},
};

async fn due(
    app: &TestApp,
    user: &TestUser,
    window: DueWindow,
    page_size: i32,
    page_token: String,
) -> Result<pb::ListDueResponse, Status> {
    let request = pb::ListDueRequest {
        window: window as i32,
        page_size,
        page_token,
        time_zone: String::new(),
    };
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .list_due(authed(request, &user.access_token))
        .await?
        .into_inner())
}

/// The parents due in `window`, in order, read page by page.
async fn due_parents(app: &TestApp, user: &TestUser, window: DueWindow) -> Vec<String> {
    let mut parents = Vec::new();
    let mut token = String::new();
    loop {
        let page = due(app, user, window, 1, token).await.unwrap();
        parents.extend(page.follow_ups.into_iter().map(|f| f.parent));
        if page.next_page_token.is_empty() {
            return parents;
        }
        token = page.next_page_token;
    }
}

fn seconds(t: Option<prost_types::Timestamp>) -> Option<i64> {
    t.map(|t| t.seconds)
}

#[tokio::test]
async fn applying_sets_a_follow_up_and_progress_moves_or_clears_it() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    assert_eq!(posting.follow_up_at, None);
    let parent = posting_parent(&posting.id);
    let applied = now() - 10 * DAY;
    log(&app, &ada, &parent, event(Stage::Applied, applied))
        .await
        .unwrap();
    let p = get_posting(&app, &ada, &posting.id).await;
    assert_eq!(seconds(p.follow_up_at), Some(applied + 7 * DAY));

    let interviewed = now() - DAY;
    log(&app, &ada, &parent, event(Stage::Interview, interviewed))
        .await
        .unwrap();
    let p = get_posting(&app, &ada, &posting.id).await;
    assert_eq!(seconds(p.follow_up_at), Some(interviewed + 5 * DAY));

    log(&app, &ada, &parent, event(Stage::Offer, now()))
        .await
        .unwrap();
    assert_eq!(
        get_posting(&app, &ada, &posting.id).await.follow_up_at,
        None
    );

    // Old clients too: a recruiter opportunity awaiting feedback is chased.
    let request = pb::CreateOpportunityRequest {
        opportunity: Some(pb::Opportunity {
            job_title: "Staff Engineer".into(),
            opportunity_status: OpportunityStatus::AwaitingFeedback as i32,
            ..Default::default()
        }),
    };
    let mut jobs = app.jobs.clone();
    let opportunity = jobs
        .create_opportunity(authed(request, &ada.access_token))
        .await
        .unwrap()
        .into_inner();
    let created = opportunity.create_time.unwrap().seconds;
    assert_eq!(seconds(opportunity.follow_up_at), Some(created + 5 * DAY));
}

#[tokio::test]
async fn list_due_answers_today_this_week_and_overdue_for_the_caller_only() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let t = now();
    let end_of_today = (t.div_euclid(DAY) + 1) * DAY;
    let day = t.div_euclid(DAY);
    let end_of_week = (day - (day + 3).rem_euclid(7) + 7) * DAY;
    // Due dates, by when each posting was applied to (7 days before).
    let overdue = t - 3 * DAY;
    let later_today = end_of_today - 1;
    let tomorrow = end_of_today + 1;
    let far = t + 30 * DAY;
    let mut parents = Vec::new();
    for due_at in [tomorrow, far, overdue, later_today] {
        let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
        let parent = posting_parent(&posting.id);
        log(&app, &ada, &parent, event(Stage::Applied, due_at - 7 * DAY))
            .await
            .unwrap();
        parents.push(parent);
    }
    let [tomorrow_p, _far_p, overdue_p, today_p] = <[String; 4]>::try_from(parents).unwrap();
    // Bob's overdue posting is never Ada's business.
    let bobs = new_posting(&app, &bob, pb::JobPosting::default()).await;
    let bobs_parent = posting_parent(&bobs.id);
    log(
        &app,
        &bob,
        &bobs_parent,
        event(Stage::Applied, t - 20 * DAY),
    )
    .await
    .unwrap();

    let overdue_only = due_parents(&app, &ada, DueWindow::Overdue).await;
    assert_eq!(overdue_only, std::slice::from_ref(&overdue_p));
    // Soonest first, paged one by one; unspecified means today.
    let today = due_parents(&app, &ada, DueWindow::Unspecified).await;
    assert_eq!(today, [overdue_p.clone(), today_p.clone()]);
    let mut week = vec![overdue_p, today_p];
    if tomorrow < end_of_week {
        week.push(tomorrow_p);
    }
    assert_eq!(due_parents(&app, &ada, DueWindow::ThisWeek).await, week);
    let page = due(&app, &ada, DueWindow::ThisWeek, 0, String::new())
        .await
        .unwrap();
    assert_eq!(seconds(page.until), Some(end_of_week));
    assert_eq!(page.follow_ups[0].title, "Engineer");
    assert_eq!(page.follow_ups[0].company, "Acme");
    assert_eq!(seconds(page.follow_ups[0].follow_up_at), Some(overdue));

    assert_eq!(
        due_parents(&app, &bob, DueWindow::Today).await,
        [bobs_parent]
    );
}

#[tokio::test]
async fn list_due_and_follow_up_dates_name_each_bad_field() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let status = due(&app, &ada, DueWindow::Today, 101, "nonsense".into())
        .await
        .unwrap_err();
    let mut jobs = app.jobs.clone();
    let request = pb::ListDueRequest {
        window: 42,
        ..Default::default()
    };
    let window = jobs
        .list_due(authed(request, &ada.access_token))
        .await
        .unwrap_err();
    let fields = |status: &Status| -> Vec<String> {
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_details_bad_request().expect("field violations");
        details
            .field_violations
            .into_iter()
            .map(|v| v.field)
            .collect()
    };
    assert_eq!(fields(&status), ["page_size", "page_token"]);
    assert_eq!(fields(&window), ["window"]);

    let request = pb::ListDueRequest {
        time_zone: "Mars/Olympus_Mons".into(),
        ..Default::default()
    };
    let zone = jobs
        .list_due(authed(request, &ada.access_token))
        .await
        .unwrap_err();
    assert_eq!(fields(&zone), ["time_zone"]);

    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let request = pb::UpdateJobPostingRequest {
        job_posting: Some(pb::JobPosting {
            id: posting.id,
            follow_up_at: Some(ts(-1)),
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["follow_up_at".into()],
        }),
    };
    let refused = jobs
        .update_job_posting(authed(request, &ada.access_token))
        .await
        .unwrap_err();
    assert_eq!(fields(&refused), ["job_posting.follow_up_at"]);
}
