//! Stage history: bad input is refused naming each field and writes
//! nothing; another user's postings and events are NOT_FOUND exactly like
//! missing ones; a parent's deletion takes its history. Also the stage
//! cells of the isolation matrix (`isolation.rs`).

use shared::proto::jobsearch::jobs::v1::{self as pb, CloseReason, PostingStatus, Stage};
use tonic::{Code, Request, Status};
use tonic_types::StatusExt as _;

use crate::{
    helpers::{TestApp, authed, now, spawn_app},
    stage_helpers::{
        DAY, edit, event, get_posting, history, log, new_posting, posting_parent, remove,
    },
};

fn violated_fields(status: &Status) -> Vec<String> {
    status
        .get_details_bad_request()
        .expect("field violations")
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect()
}

#[tokio::test]
async fn bad_events_are_refused_naming_each_field_and_write_nothing() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let rejected = pb::StageEvent {
        close_reason: CloseReason::NotAFit as i32,
        ..event(Stage::Rejected, now() - DAY)
    };
    let logged = log(&app, &ada, &parent, rejected).await.unwrap();

    let wrong = pb::StageEvent {
        stage: 99,
        note: "x".repeat(2001),
        close_reason: CloseReason::Other as i32,
        ..Default::default()
    };
    let status = log(&app, &ada, "jobSites/1", wrong).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let fields = ["parent", "stage_event.stage", "stage_event.note"];
    assert_eq!(violated_fields(&status), fields);
    let reason_on_offer = pb::StageEvent {
        close_reason: CloseReason::Other as i32,
        ..event(Stage::Offer, now())
    };
    let status = log(&app, &ada, &parent, reason_on_offer).await.unwrap_err();
    assert_eq!(violated_fields(&status), ["stage_event.close_reason"]);

    // Turning the rejection into an offer keeps its stored close reason:
    // refused until the reason is cleared in the same update.
    let to_offer = pb::StageEvent {
        id: logged.id.clone(),
        ..event(Stage::Offer, 0)
    };
    let status = edit(&app, &ada, to_offer.clone(), &["stage"])
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&status), ["stage_event.close_reason"]);
    let paths = ["occurred_at", "parent", "colour"];
    let unset_time = pb::StageEvent {
        occurred_at: None,
        ..to_offer.clone()
    };
    let status = edit(&app, &ada, unset_time, &paths).await.unwrap_err();
    let fields = [
        "stage_event.occurred_at",
        "stage_event.parent",
        "stage_event.colour",
    ];
    assert_eq!(violated_fields(&status), fields);
    let status = edit(&app, &ada, to_offer.clone(), &[]).await.unwrap_err();
    assert_eq!(violated_fields(&status), ["update_mask"]);
    let status = remove(&app, &ada, "not-an-id").await.unwrap_err();
    assert_eq!(violated_fields(&status), ["id"]);
    let mut jobs = app.jobs.clone();
    let request = pb::ListStageEventsRequest {
        parent: posting.id.clone(),
        page_size: -1,
        page_token: "garbage".into(),
    };
    let status = jobs
        .list_stage_events(authed(request, &ada.access_token))
        .await
        .unwrap_err();
    assert_eq!(
        violated_fields(&status),
        ["parent", "page_size", "page_token"]
    );

    // Nothing of it was written.
    let stored = history(&app, &ada, &parent).await.unwrap();
    assert_eq!(stored, std::slice::from_ref(&logged));
    let stored = get_posting(&app, &ada, &posting.id).await;
    assert_eq!(stored.posting_status(), PostingStatus::Rejected);

    // With the reason cleared in the same update, it goes through.
    let edited = edit(&app, &ada, to_offer, &["stage", "close_reason"])
        .await
        .unwrap();
    assert_eq!(edited.close_reason(), CloseReason::Unspecified);
    let stored = get_posting(&app, &ada, &posting.id).await;
    assert_eq!(stored.posting_status(), PostingStatus::Offer);
    assert_eq!(stored.rejected_at, None);
}

#[tokio::test]
async fn another_users_posting_and_events_are_not_found_like_missing_ones() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let logged = log(&app, &ada, &parent, event(Stage::Applied, now() - DAY))
        .await
        .unwrap();
    let missing = uuid::Uuid::now_v7().to_string();

    let same = |theirs: Status, absent: Status| {
        assert_eq!(theirs.code(), Code::NotFound);
        assert_eq!(
            (theirs.code(), theirs.message(), theirs.details()),
            (absent.code(), absent.message(), absent.details())
        );
    };
    let theirs = history(&app, &bob, &parent).await.unwrap_err();
    let absent = history(&app, &bob, &posting_parent(&missing))
        .await
        .unwrap_err();
    same(theirs, absent);
    let offer = event(Stage::Offer, now());
    let theirs = log(&app, &bob, &parent, offer.clone()).await.unwrap_err();
    let absent = log(&app, &bob, &posting_parent(&missing), offer.clone()).await;
    same(theirs, absent.unwrap_err());
    let opportunity = format!("opportunities/{}", posting.id);
    let status = log(&app, &ada, &opportunity, offer).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let patch = |id: &str| pb::StageEvent {
        id: id.into(),
        note: "mine now".into(),
        ..Default::default()
    };
    let theirs = edit(&app, &bob, patch(&logged.id), &["note"])
        .await
        .unwrap_err();
    let absent = edit(&app, &bob, patch(&missing), &["note"])
        .await
        .unwrap_err();
    same(theirs, absent);
    let theirs = remove(&app, &bob, &logged.id).await.unwrap_err();
    let absent = remove(&app, &bob, &missing).await.unwrap_err();
    same(theirs, absent);

    assert_eq!(history(&app, &ada, &parent).await.unwrap(), [logged]);
    let stored = get_posting(&app, &ada, &posting.id).await;
    assert_eq!(stored.posting_status(), PostingStatus::AwaitingFeedback);
}

#[tokio::test]
async fn deleting_a_posting_deletes_its_history() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let logged = log(&app, &ada, &parent, event(Stage::Applied, now()))
        .await
        .unwrap();
    let mut jobs = app.jobs.clone();
    let request = pb::DeleteJobPostingRequest {
        id: posting.id.clone(),
    };
    jobs.delete_job_posting(authed(request, &ada.access_token))
        .await
        .unwrap();
    let status = history(&app, &ada, &parent).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let status = remove(&app, &ada, &logged.id).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let left: Vec<(String,)> = sqlx::query_as("SELECT id FROM stage_events")
        .fetch_all(&app.jobs_state.db)
        .await
        .unwrap();
    assert!(left.is_empty());
}

/// Calls a stage RPC of the isolation matrix on the owner's posting and
/// event; `Ok(())` means it acted on them.
pub async fn matrix_call(
    app: &TestApp,
    rpc: &str,
    token: Option<&str>,
    posting_id: &str,
    event_id: &str,
) -> Result<(), Status> {
    fn request<T>(message: T, token: Option<&str>) -> Request<T> {
        match token {
            Some(token) => authed(message, token),
            None => Request::new(message),
        }
    }
    let mut c = app.jobs.clone();
    let parent = posting_parent(posting_id);
    match rpc {
        "ListStageEvents" => {
            let req = pb::ListStageEventsRequest {
                parent,
                ..Default::default()
            };
            let list = c.list_stage_events(request(req, token)).await?.into_inner();
            assert!(list.stage_events.iter().any(|e| e.id == event_id));
        }
        "CreateStageEvent" => {
            let req = pb::CreateStageEventRequest {
                parent,
                stage_event: Some(event(Stage::Interview, now())),
            };
            c.create_stage_event(request(req, token)).await?;
        }
        "UpdateStageEvent" => {
            let stage_event = pb::StageEvent {
                id: event_id.into(),
                note: "edited".into(),
                ..Default::default()
            };
            let req = pb::UpdateStageEventRequest {
                stage_event: Some(stage_event),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["note".into()],
                }),
            };
            c.update_stage_event(request(req, token)).await?;
        }
        "DeleteStageEvent" => {
            let req = pb::DeleteStageEventRequest {
                id: event_id.into(),
            };
            c.delete_stage_event(request(req, token)).await?;
        }
        other => panic!("unknown rpc {other}"),
    }
    Ok(())
}

#[tokio::test]
async fn a_full_history_refuses_more_events_and_writes_nothing() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    // Fill the history to the limit directly: 500 calls would only be slow.
    let t0 = now() - 100 * DAY;
    let mut tx = app.jobs_state.db.begin().await.unwrap();
    for i in 0..500 {
        sqlx::query(
            "INSERT INTO stage_events (user_id, id, job_posting_id, stage, occurred_at, \
             create_time, update_time) VALUES ($1, $2, $3, 3, $4, $4, $4)",
        )
        .bind(ada.id.as_str())
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(posting.id.as_str())
        .bind(t0 + i)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let status = log(&app, &ada, &parent, event(Stage::Offer, now()))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&status), ["parent"]);
    let request = pb::UpdateJobPostingRequest {
        job_posting: Some(pb::JobPosting {
            id: posting.id.clone(),
            posting_status: PostingStatus::Offer as i32,
            pay_range: "more".into(),
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["posting_status".into(), "pay_range".into()],
        }),
    };
    let mut jobs = app.jobs.clone();
    let status = jobs
        .update_job_posting(authed(request, &ada.access_token))
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&status), ["job_posting.posting_status"]);
    // Neither call left anything behind, not even the pay range.
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM stage_events")
        .fetch_one(&app.jobs_state.db)
        .await
        .unwrap();
    assert_eq!(count, 500);
    assert_eq!(get_posting(&app, &ada, &posting.id).await.pay_range, "");
}

#[tokio::test]
async fn concurrent_writers_of_one_history_never_store_a_stale_status() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let t0 = now() - 100 * DAY;
    // Logged all at once, in no particular order; the latest step is the
    // offer, whichever transaction commits last.
    let calls = (0..12_i64).map(|i| {
        let stage = if i == 7 { Stage::Offer } else { Stage::Engaged };
        let at = if i == 7 { t0 + 50 * DAY } else { t0 + i * DAY };
        let (app, ada, parent) = (&app, &ada, &parent);
        async move { log(app, ada, parent, event(stage, at)).await }
    });
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(history(&app, &ada, &parent).await.unwrap().len(), 12);
    let stored = get_posting(&app, &ada, &posting.id).await;
    assert_eq!(stored.posting_status(), PostingStatus::Offer);
}
