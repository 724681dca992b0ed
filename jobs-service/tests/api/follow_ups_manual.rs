//! Follow-ups the user decides: a date set through an update mask, which
//! new steps leave alone until it is cleared, and `ListDue` windows in the
//! caller's time zone.

use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1::{self as pb, DueWindow, OpportunityStatus, Stage};

use crate::{
    helpers::{TestApp, TestUser, authed, now, spawn_app, ts},
    stage_helpers::{DAY, event, get_posting, log, new_posting, posting_parent},
};

const HOUR: i64 = 3600;

fn seconds(t: Option<prost_types::Timestamp>) -> Option<i64> {
    t.map(|t| t.seconds)
}

/// Sets (`Some`) or clears (`None`) a posting's follow-up date.
async fn set_posting_follow_up(
    app: &TestApp,
    user: &TestUser,
    id: &str,
    at: Option<i64>,
) -> pb::JobPosting {
    let request = pb::UpdateJobPostingRequest {
        job_posting: Some(pb::JobPosting {
            id: id.into(),
            follow_up_at: at.map(ts),
            ..Default::default()
        }),
        update_mask: Some(FieldMask {
            paths: vec!["follow_up_at".into()],
        }),
    };
    let mut jobs = app.jobs.clone();
    jobs.update_job_posting(authed(request, &user.access_token))
        .await
        .unwrap()
        .into_inner()
}

/// Changes an opportunity's masked fields.
async fn update_opportunity(
    app: &TestApp,
    user: &TestUser,
    opportunity: pb::Opportunity,
    paths: &[&str],
) -> pb::Opportunity {
    let request = pb::UpdateOpportunityRequest {
        opportunity: Some(opportunity),
        update_mask: Some(FieldMask {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        }),
    };
    let mut jobs = app.jobs.clone();
    jobs.update_opportunity(authed(request, &user.access_token))
        .await
        .unwrap()
        .into_inner()
}

async fn list_due(
    app: &TestApp,
    user: &TestUser,
    window: DueWindow,
    time_zone: &str,
) -> pb::ListDueResponse {
    let request = pb::ListDueRequest {
        window: window as i32,
        time_zone: time_zone.into(),
        ..Default::default()
    };
    let mut jobs = app.jobs.clone();
    jobs.list_due(authed(request, &user.access_token))
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn a_follow_up_date_the_user_sets_outlives_new_steps_until_cleared() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let applied = now() - 10 * DAY;
    log(&app, &ada, &parent, event(Stage::Applied, applied))
        .await
        .unwrap();
    // The user's own date, in the past: overdue, and listed as such.
    let mine = now() - DAY;
    let set = set_posting_follow_up(&app, &ada, &posting.id, Some(mine)).await;
    assert_eq!(seconds(set.follow_up_at), Some(mine));
    let overdue = list_due(&app, &ada, DueWindow::Overdue, "").await;
    let listed: Vec<_> = overdue.follow_ups.iter().map(|f| &f.parent).collect();
    assert_eq!(listed, [&parent]);
    assert_eq!(seconds(overdue.follow_ups[0].follow_up_at), Some(mine));

    // New steps, which the rules would date (+5 days) or clear, leave it.
    let interviewed = now() - 2 * DAY;
    log(&app, &ada, &parent, event(Stage::Interview, interviewed))
        .await
        .unwrap();
    let p = get_posting(&app, &ada, &posting.id).await;
    assert_eq!(seconds(p.follow_up_at), Some(mine));

    // Cleared: the rules decide again, from the history as it now stands.
    let cleared = set_posting_follow_up(&app, &ada, &posting.id, None).await;
    assert_eq!(seconds(cleared.follow_up_at), Some(interviewed + 5 * DAY));
    log(&app, &ada, &parent, event(Stage::Offer, now()))
        .await
        .unwrap();
    assert_eq!(
        get_posting(&app, &ada, &posting.id).await.follow_up_at,
        None
    );
}

#[tokio::test]
async fn an_opportunitys_follow_up_date_is_the_users_until_cleared() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let request = pb::CreateOpportunityRequest {
        opportunity: Some(pb::Opportunity {
            job_title: "Staff Engineer".into(),
            ..Default::default()
        }),
    };
    let mut jobs = app.jobs.clone();
    let created = jobs
        .create_opportunity(authed(request, &ada.access_token))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.follow_up_at, None);
    let mine = now() + 3 * DAY;
    let with_date = pb::Opportunity {
        id: created.id.clone(),
        follow_up_at: Some(ts(mine)),
        ..Default::default()
    };
    let set = update_opportunity(&app, &ada, with_date, &["follow_up_at"]).await;
    assert_eq!(seconds(set.follow_up_at), Some(mine));
    // An old client's status change (a step the rules date +5 days) keeps it.
    let waiting = pb::Opportunity {
        id: created.id.clone(),
        opportunity_status: OpportunityStatus::AwaitingFeedback as i32,
        ..Default::default()
    };
    let moved = update_opportunity(&app, &ada, waiting, &["opportunity_status"]).await;
    assert_eq!(
        moved.opportunity_status(),
        OpportunityStatus::AwaitingFeedback
    );
    assert_eq!(seconds(moved.follow_up_at), Some(mine));
    let cleared = pb::Opportunity {
        id: created.id,
        ..Default::default()
    };
    let cleared = update_opportunity(&app, &ada, cleared, &["follow_up_at"]).await;
    let stepped = moved.update_time.unwrap().seconds;
    assert_eq!(seconds(cleared.follow_up_at), Some(stepped + 5 * DAY));
}

/// The end of the day containing `t` in a zone `offset` hours from UTC
/// (without daylight saving time).
fn end_of_day(t: i64, offset: i64) -> i64 {
    ((t + offset * HOUR).div_euclid(DAY) + 1) * DAY - offset * HOUR
}

/// The start of the Monday after the day containing `t` in a zone `offset`
/// hours from UTC (1970-01-01 was a Thursday).
fn end_of_week(t: i64, offset: i64) -> i64 {
    let day = (t + offset * HOUR).div_euclid(DAY);
    (day - (day + 3).rem_euclid(7) + 7) * DAY - offset * HOUR
}

#[tokio::test]
async fn list_due_follows_the_callers_time_zone() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    // Kiribati's Line Islands are UTC+14 and American Samoa UTC-11, all
    // year: whatever the hour, one of them is on another date than UTC.
    let t = now();
    let kiritimati = list_due(&app, &ada, DueWindow::Today, "Pacific/Kiritimati").await;
    assert_eq!(seconds(kiritimati.until), Some(end_of_day(t, 14)));
    let samoa = list_due(&app, &ada, DueWindow::Today, "Pacific/Pago_Pago").await;
    assert_eq!(seconds(samoa.until), Some(end_of_day(t, -11)));
    let utc = list_due(&app, &ada, DueWindow::Today, "").await;
    assert_eq!(seconds(utc.until), Some(end_of_day(t, 0)));
    let week = list_due(&app, &ada, DueWindow::ThisWeek, "Pacific/Kiritimati").await;
    assert_eq!(seconds(week.until), Some(end_of_week(t, 14)));

    // A follow-up due in the zone's last second of today is listed; one due
    // at its midnight is not.
    let until = end_of_day(t, 14);
    let mut parents = Vec::new();
    for at in [until - 1, until] {
        let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
        set_posting_follow_up(&app, &ada, &posting.id, Some(at)).await;
        parents.push(posting_parent(&posting.id));
    }
    let today = list_due(&app, &ada, DueWindow::Today, "Pacific/Kiritimati").await;
    let listed: Vec<_> = today.follow_ups.iter().map(|f| &f.parent).collect();
    assert_eq!(listed, [&parents[0]]);
}
