//! Helpers of the stage-history tests: a posting to move, and each stage
//! RPC as one call.

use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1::{self as pb, PostingStatus, Stage};
use tonic::Status;

use crate::{
    helpers::{TestApp, TestUser, authed, ts},
    sites,
};

pub const DAY: i64 = 86_400;

/// A new posting of `user`'s on a new site, as given (status and dates).
pub async fn new_posting(
    app: &TestApp,
    user: &TestUser,
    posting: pb::JobPosting,
) -> pb::JobPosting {
    let board = pb::JobSite {
        site_name: "Board".into(),
        ..Default::default()
    };
    let site = sites::create(app, user, board).await.unwrap();
    let request = pb::CreateJobPostingRequest {
        job_posting: Some(pb::JobPosting {
            job_site_id: site.id,
            company_name: "Acme".into(),
            posting_title: "Engineer".into(),
            ..posting
        }),
    };
    let mut jobs = app.jobs.clone();
    jobs.create_job_posting(authed(request, &user.access_token))
        .await
        .unwrap()
        .into_inner()
}

/// The posting as now stored.
pub async fn get_posting(app: &TestApp, user: &TestUser, id: &str) -> pb::JobPosting {
    let request = pb::GetJobPostingRequest { id: id.into() };
    let mut jobs = app.jobs.clone();
    jobs.get_job_posting(authed(request, &user.access_token))
        .await
        .unwrap()
        .into_inner()
}

/// `jobPostings/{id}`.
pub fn posting_parent(id: &str) -> String {
    format!("jobPostings/{id}")
}

/// An event of `stage` at `at`.
pub fn event(stage: Stage, at: i64) -> pb::StageEvent {
    pb::StageEvent {
        stage: stage as i32,
        occurred_at: Some(ts(at)),
        ..Default::default()
    }
}

/// Logs `event` under `parent`.
pub async fn log(
    app: &TestApp,
    user: &TestUser,
    parent: &str,
    event: pb::StageEvent,
) -> Result<pb::StageEvent, Status> {
    let request = pb::CreateStageEventRequest {
        parent: parent.into(),
        stage_event: Some(event),
    };
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .create_stage_event(authed(request, &user.access_token))
        .await?
        .into_inner())
}

/// Every event of `parent`, in history order (one page).
pub async fn history(
    app: &TestApp,
    user: &TestUser,
    parent: &str,
) -> Result<Vec<pb::StageEvent>, Status> {
    let request = pb::ListStageEventsRequest {
        parent: parent.into(),
        ..Default::default()
    };
    let mut jobs = app.jobs.clone();
    let page = jobs
        .list_stage_events(authed(request, &user.access_token))
        .await?
        .into_inner();
    assert!(page.next_page_token.is_empty());
    Ok(page.stage_events)
}

/// Changes the masked fields of an event.
pub async fn edit(
    app: &TestApp,
    user: &TestUser,
    event: pb::StageEvent,
    paths: &[&str],
) -> Result<pb::StageEvent, Status> {
    let request = pb::UpdateStageEventRequest {
        stage_event: Some(event),
        update_mask: Some(FieldMask {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        }),
    };
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .update_stage_event(authed(request, &user.access_token))
        .await?
        .into_inner())
}

/// Deletes an event.
pub async fn remove(app: &TestApp, user: &TestUser, id: &str) -> Result<(), Status> {
    let request = pb::DeleteStageEventRequest { id: id.into() };
    let mut jobs = app.jobs.clone();
    jobs.delete_stage_event(authed(request, &user.access_token))
        .await?;
    Ok(())
}

/// Status and the three dates, as seconds.
pub fn derived(p: &pb::JobPosting) -> (PostingStatus, Option<i64>, Option<i64>, Option<i64>) {
    let secs = |t: &Option<prost_types::Timestamp>| t.as_ref().map(|t| t.seconds);
    (
        p.posting_status(),
        secs(&p.applied_at),
        secs(&p.interviewed_at),
        secs(&p.rejected_at),
    )
}

pub fn stages(events: &[pb::StageEvent]) -> Vec<Stage> {
    events.iter().map(pb::StageEvent::stage).collect()
}

pub async fn update_posting(
    app: &TestApp,
    user: &TestUser,
    posting: pb::JobPosting,
    paths: &[&str],
) -> pb::JobPosting {
    let request = pb::UpdateJobPostingRequest {
        job_posting: Some(posting),
        update_mask: Some(FieldMask {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        }),
    };
    let mut jobs = app.jobs.clone();
    jobs.update_job_posting(authed(request, &user.access_token))
        .await
        .unwrap()
        .into_inner()
}
