//! gRPC handlers for stage history and the follow-ups it sets: convert the
//! request, call the service, convert the answer.

use shared::{proto::jobsearch::jobs::v1 as pb, timestamp};
use tonic::{Request, Response};

use super::Reply;
use crate::{
    auth::caller,
    db::stage_events::StageEventRow,
    domain::{
        self, follow_up,
        stage::{Parent, ParentKind},
        stage_event,
    },
    state::AppState,
};

/// `ListStageEvents`.
pub async fn list(
    state: &AppState,
    request: Request<pb::ListStageEventsRequest>,
) -> Reply<pb::ListStageEventsResponse> {
    let caller = caller(&request)?;
    let page = stage_event::parse_list(request.get_ref())?;
    let (rows, next_page_token) = state.list_stage_events(&caller.user_id, &page).await?;
    Ok(Response::new(pb::ListStageEventsResponse {
        stage_events: rows.into_iter().map(message).collect(),
        next_page_token,
    }))
}

/// `CreateStageEvent`.
pub async fn create(
    state: &AppState,
    request: Request<pb::CreateStageEventRequest>,
) -> Reply<pb::StageEvent> {
    let caller = caller(&request)?;
    let req = request.get_ref();
    let new = stage_event::parse_create(&req.parent, req.stage_event.as_ref(), domain::now())?;
    let row = state.create_stage_event(&caller.user_id, new).await?;
    Ok(Response::new(message(row)))
}

/// `UpdateStageEvent`.
pub async fn update(
    state: &AppState,
    request: Request<pb::UpdateStageEventRequest>,
) -> Reply<pb::StageEvent> {
    let caller = caller(&request)?;
    let req = request.into_inner();
    let update = stage_event::parse_update(req.stage_event, req.update_mask)?;
    let row = state.update_stage_event(&caller.user_id, update).await?;
    Ok(Response::new(message(row)))
}

/// `DeleteStageEvent`.
pub async fn delete(
    state: &AppState,
    request: Request<pb::DeleteStageEventRequest>,
) -> Reply<pb::DeleteStageEventResponse> {
    let caller = caller(&request)?;
    let id = domain::request_id(&request.get_ref().id)?;
    state.delete_stage_event(&caller.user_id, &id).await?;
    Ok(Response::new(pb::DeleteStageEventResponse {}))
}

/// A stored event as a message. Enums were checked on the way in.
fn message(row: StageEventRow) -> pb::StageEvent {
    let parent = row.parent();
    pb::StageEvent {
        parent: Parent::name(parent.kind, &parent.id),
        id: row.id,
        stage: i32::try_from(row.stage).unwrap_or_default(),
        occurred_at: Some(timestamp(row.occurred_at)),
        note: row.note,
        close_reason: i32::try_from(row.close_reason).unwrap_or_default(),
        create_time: Some(timestamp(row.create_time)),
        update_time: Some(timestamp(row.update_time)),
    }
}

/// `ListDue`.
pub async fn list_due(
    state: &AppState,
    request: Request<pb::ListDueRequest>,
) -> Reply<pb::ListDueResponse> {
    let caller = caller(&request)?;
    let query = follow_up::parse_due(request.get_ref(), domain::now())?;
    let (rows, next_page_token) = state.list_due(&caller.user_id, &query).await?;
    let follow_ups = rows
        .into_iter()
        .map(|row| {
            let kind = match row.kind.as_str() {
                "p" => ParentKind::Posting,
                _ => ParentKind::Opportunity,
            };
            pb::DueFollowUp {
                parent: Parent::name(kind, &row.id),
                follow_up_at: Some(timestamp(row.follow_up_at)),
                title: row.title,
                company: row.company,
            }
        })
        .collect();
    Ok(Response::new(pb::ListDueResponse {
        follow_ups,
        until: Some(timestamp(query.until)),
        next_page_token,
    }))
}
