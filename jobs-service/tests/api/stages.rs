//! Stage history: logging, editing and deleting events moves a posting's or
//! an opportunity's status and the seed's dates, however late or out of
//! order the steps are logged; old clients that set the status and dates
//! directly keep working and write history.

use shared::proto::jobsearch::jobs::v1::{
    self as pb, CloseReason, OpportunityStatus, PostingStatus, Stage,
};

use crate::{
    helpers::{authed, now, spawn_app, ts},
    stage_helpers::{
        DAY, derived, edit, event, get_posting, history, log, new_posting, posting_parent, remove,
        stages, update_posting,
    },
};

#[tokio::test]
async fn moving_a_posting_through_stages_derives_its_status_and_dates() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    // Saved without a status: OPEN, with an empty history.
    assert!(history(&app, &ada, &parent).await.unwrap().is_empty());
    let t0 = now() - 30 * DAY;

    let applied = log(&app, &ada, &parent, event(Stage::Applied, t0))
        .await
        .unwrap();
    assert_eq!(applied.parent, parent);
    assert!(uuid::Uuid::parse_str(&applied.id).is_ok());
    assert_eq!(applied.create_time, applied.update_time);
    let p = get_posting(&app, &ada, &posting.id).await;
    assert_eq!(
        derived(&p),
        (PostingStatus::AwaitingFeedback, Some(t0), None, None)
    );

    let interview = pb::StageEvent {
        note: "call with the CTO\nwent well".into(),
        ..event(Stage::Interview, t0 + 7 * DAY)
    };
    let interview = log(&app, &ada, &parent, interview).await.unwrap();
    assert_eq!(interview.note, "call with the CTO\nwent well");
    log(&app, &ada, &parent, event(Stage::Offer, t0 + 14 * DAY))
        .await
        .unwrap();
    let p = get_posting(&app, &ada, &posting.id).await;
    let interviewed = Some(t0 + 7 * DAY);
    assert_eq!(
        derived(&p),
        (PostingStatus::Offer, Some(t0), interviewed, None)
    );

    let accepted = log(&app, &ada, &parent, event(Stage::Accepted, t0 + 15 * DAY)).await;
    let events = history(&app, &ada, &parent).await.unwrap();
    assert_eq!(events.last(), Some(&accepted.unwrap()));
    assert_eq!(
        stages(&events),
        [
            Stage::Applied,
            Stage::Interview,
            Stage::Offer,
            Stage::Accepted
        ]
    );
    let p = get_posting(&app, &ada, &posting.id).await;
    assert_eq!(p.posting_status(), PostingStatus::Accepted);
}

#[tokio::test]
async fn steps_logged_late_and_out_of_order_land_where_they_happened() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let t0 = now() - 60 * DAY;
    // The rejection is logged first, the application and interview later.
    let rejected = pb::StageEvent {
        close_reason: CloseReason::NotAFit as i32,
        ..event(Stage::Rejected, t0 + 20 * DAY)
    };
    log(&app, &ada, &parent, rejected).await.unwrap();
    log(&app, &ada, &parent, event(Stage::Interview, t0 + 10 * DAY))
        .await
        .unwrap();
    log(&app, &ada, &parent, event(Stage::Applied, t0))
        .await
        .unwrap();
    // A second interview, earlier than the first one logged.
    log(&app, &ada, &parent, event(Stage::Interview, t0 + 5 * DAY))
        .await
        .unwrap();

    let events = history(&app, &ada, &parent).await.unwrap();
    let expected = [
        Stage::Applied,
        Stage::Interview,
        Stage::Interview,
        Stage::Rejected,
    ];
    assert_eq!(stages(&events), expected);
    assert_eq!(events[3].close_reason(), CloseReason::NotAFit);
    let p = get_posting(&app, &ada, &posting.id).await;
    let expected = (
        PostingStatus::Rejected,
        Some(t0),
        Some(t0 + 5 * DAY),
        Some(t0 + 20 * DAY),
    );
    assert_eq!(derived(&p), expected);
}

#[tokio::test]
async fn editing_and_deleting_events_moves_the_status_and_dates() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let t0 = now() - 40 * DAY;
    let applied = log(&app, &ada, &parent, event(Stage::Applied, t0))
        .await
        .unwrap();
    let ghosted = log(&app, &ada, &parent, event(Stage::NoResponse, t0 + 21 * DAY)).await;
    let ghosted = ghosted.unwrap();
    assert_eq!(
        get_posting(&app, &ada, &posting.id).await.posting_status(),
        PostingStatus::NoResponse
    );

    // They did answer after all: the silence becomes a rejection, with a
    // reason, and the application date is corrected.
    let patch = pb::StageEvent {
        id: ghosted.id.clone(),
        close_reason: CloseReason::PositionFilled as i32,
        note: "filled internally".into(),
        ..event(Stage::Rejected, t0 + 25 * DAY)
    };
    let paths = ["stage", "occurred_at", "close_reason", "note"];
    let edited = edit(&app, &ada, patch, &paths).await.unwrap();
    assert_eq!(edited.stage(), Stage::Rejected);
    assert_eq!(edited.create_time, ghosted.create_time);
    let moved = pb::StageEvent {
        id: applied.id.clone(),
        ..event(Stage::Unspecified, t0 + DAY)
    };
    edit(&app, &ada, moved, &["occurred_at"]).await.unwrap();
    let p = get_posting(&app, &ada, &posting.id).await;
    let expected = (
        PostingStatus::Rejected,
        Some(t0 + DAY),
        None,
        Some(t0 + 25 * DAY),
    );
    assert_eq!(derived(&p), expected);

    // Moving the rejection before the application makes it old news.
    let earlier = pb::StageEvent {
        id: ghosted.id.clone(),
        ..event(Stage::Unspecified, t0)
    };
    edit(&app, &ada, earlier, &["occurred_at"]).await.unwrap();
    let p = get_posting(&app, &ada, &posting.id).await;
    assert_eq!(
        derived(&p),
        (
            PostingStatus::AwaitingFeedback,
            Some(t0 + DAY),
            None,
            Some(t0)
        )
    );

    // Deleting the application leaves the rejection; deleting that too
    // leaves an empty history: OPEN without dates.
    remove(&app, &ada, &applied.id).await.unwrap();
    let p = get_posting(&app, &ada, &posting.id).await;
    assert_eq!(derived(&p), (PostingStatus::Rejected, None, None, Some(t0)));
    remove(&app, &ada, &ghosted.id).await.unwrap();
    let p = get_posting(&app, &ada, &posting.id).await;
    assert_eq!(derived(&p), (PostingStatus::Open, None, None, None));
    assert!(history(&app, &ada, &parent).await.unwrap().is_empty());
}

#[tokio::test]
async fn old_clients_setting_status_and_dates_write_history() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let applied_at = now() - 10 * DAY;
    // As the README's walk-through: created awaiting feedback, with a date.
    let created = pb::JobPosting {
        posting_status: PostingStatus::AwaitingFeedback as i32,
        applied_at: Some(ts(applied_at)),
        ..Default::default()
    };
    let posting = new_posting(&app, &ada, created).await;
    let parent = posting_parent(&posting.id);
    let events = history(&app, &ada, &parent).await.unwrap();
    assert_eq!(stages(&events), [Stage::Applied]);
    assert_eq!(events[0].occurred_at, Some(ts(applied_at)));

    // UpdateJobPosting with mask posting_status records an event now.
    let before = now();
    let patch = pb::JobPosting {
        id: posting.id.clone(),
        posting_status: PostingStatus::ActivelyEngaged as i32,
        ..Default::default()
    };
    let updated = update_posting(&app, &ada, patch.clone(), &["posting_status"]).await;
    assert_eq!(updated.posting_status(), PostingStatus::ActivelyEngaged);
    let events = history(&app, &ada, &parent).await.unwrap();
    assert_eq!(stages(&events), [Stage::Applied, Stage::Engaged]);
    assert!(events[1].occurred_at.as_ref().unwrap().seconds >= before);
    // The same status again is no change: nothing logged.
    update_posting(&app, &ada, patch, &["posting_status"]).await;
    assert_eq!(history(&app, &ada, &parent).await.unwrap().len(), 2);

    // Dates: a new one logs its stage, a changed one moves it, an unset one
    // removes it; the status follows the history.
    let interviewed_at = now() - 5 * DAY;
    let patch = pb::JobPosting {
        id: posting.id.clone(),
        applied_at: Some(ts(applied_at - DAY)),
        interviewed_at: Some(ts(interviewed_at)),
        ..Default::default()
    };
    let updated = update_posting(&app, &ada, patch, &["applied_at", "interviewed_at"]).await;
    let expected = (
        PostingStatus::ActivelyEngaged,
        Some(applied_at - DAY),
        Some(interviewed_at),
        None,
    );
    assert_eq!(derived(&updated), expected);
    let events = history(&app, &ada, &parent).await.unwrap();
    assert_eq!(
        stages(&events),
        [Stage::Applied, Stage::Interview, Stage::Engaged]
    );
    let patch = pb::JobPosting {
        id: posting.id.clone(),
        posting_status: PostingStatus::Rejected as i32,
        ..Default::default()
    };
    let paths = ["interviewed_at", "posting_status"];
    let updated = update_posting(&app, &ada, patch, &paths).await;
    assert_eq!(updated.posting_status(), PostingStatus::Rejected);
    assert_eq!(updated.interviewed_at, None);
    // The rejection is dated when it was set: that is all the old field says.
    assert!(updated.rejected_at.unwrap().seconds >= before);
    let events = history(&app, &ada, &parent).await.unwrap();
    assert_eq!(
        stages(&events),
        [Stage::Applied, Stage::Engaged, Stage::Rejected]
    );
}

#[tokio::test]
async fn opportunities_have_a_history_too() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let request = pb::CreateOpportunityRequest {
        opportunity: Some(pb::Opportunity {
            job_title: "Staff Engineer".into(),
            opportunity_status: OpportunityStatus::ActivelyEngaged as i32,
            ..Default::default()
        }),
    };
    let mut jobs = app.jobs.clone();
    let created = jobs
        .create_opportunity(authed(request, &ada.access_token))
        .await
        .unwrap()
        .into_inner();
    let parent = format!("opportunities/{}", created.id);
    let events = history(&app, &ada, &parent).await.unwrap();
    assert_eq!(stages(&events), [Stage::Engaged]);
    assert_eq!(events[0].parent, parent);

    let declined = pb::StageEvent {
        close_reason: CloseReason::Compensation as i32,
        ..event(Stage::Withdrawn, now() + 60)
    };
    log(&app, &ada, &parent, declined).await.unwrap();
    let request = pb::GetOpportunityRequest {
        id: created.id.clone(),
    };
    let got = jobs
        .get_opportunity(authed(request, &ada.access_token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.opportunity_status(), OpportunityStatus::Declined);
}

#[tokio::test]
async fn a_long_history_pages_in_order() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let t0 = now() - 100 * DAY;
    // Logged newest first, and two at the same time.
    for day in [5, 4, 3, 3, 2, 1] {
        log(&app, &ada, &parent, event(Stage::Engaged, t0 + day * DAY))
            .await
            .unwrap();
    }
    let mut jobs = app.jobs.clone();
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let request = pb::ListStageEventsRequest {
            parent: parent.clone(),
            page_size: 4,
            page_token: token,
        };
        let page = jobs
            .list_stage_events(authed(request, &ada.access_token))
            .await
            .unwrap()
            .into_inner();
        seen.extend(page.stage_events);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    let times: Vec<i64> = seen
        .iter()
        .map(|e| e.occurred_at.unwrap().seconds - t0)
        .collect();
    assert_eq!(times, [DAY, 2 * DAY, 3 * DAY, 3 * DAY, 4 * DAY, 5 * DAY]);
    // Equal times in the order they were logged.
    assert!(seen[2].id < seen[3].id);
}
