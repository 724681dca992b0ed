//! gRPC handlers for interviews and their calendar export: convert the
//! request, call the service, convert the answer.

use shared::{proto::jobsearch::jobs::v1 as pb, timestamp};
use tonic::{Request, Response};

use super::Reply;
use crate::{
    auth::caller,
    db::interviews::{InterviewRow, ScheduledRow},
    domain::{self, interview, stage::Parent},
    service::interviews::WithInterviewers,
    state::AppState,
};

/// `CreateInterview`.
pub async fn create(
    state: &AppState,
    request: Request<pb::CreateInterviewRequest>,
) -> Reply<pb::Interview> {
    let caller = caller(&request)?;
    let req = request.get_ref();
    let new = interview::parse_create(&req.parent, req.interview.as_ref())?;
    let found = state.create_interview(&caller.user_id, new).await?;
    Ok(Response::new(message(found)))
}

/// `GetInterview`.
pub async fn get(
    state: &AppState,
    request: Request<pb::GetInterviewRequest>,
) -> Reply<pb::Interview> {
    let caller = caller(&request)?;
    let id = domain::request_id(&request.get_ref().id)?;
    let found = state.get_interview(&caller.user_id, &id).await?;
    Ok(Response::new(message(found)))
}

/// `ListInterviews`.
pub async fn list(
    state: &AppState,
    request: Request<pb::ListInterviewsRequest>,
) -> Reply<pb::ListInterviewsResponse> {
    let caller = caller(&request)?;
    let page = interview::parse_list(request.get_ref())?;
    let (rows, next_page_token) = state.list_interviews(&caller.user_id, &page).await?;
    Ok(Response::new(pb::ListInterviewsResponse {
        interviews: rows.into_iter().map(message).collect(),
        next_page_token,
    }))
}

/// `UpdateInterview`.
pub async fn update(
    state: &AppState,
    request: Request<pb::UpdateInterviewRequest>,
) -> Reply<pb::Interview> {
    let caller = caller(&request)?;
    let req = request.into_inner();
    let update = interview::parse_update(req.interview, req.update_mask)?;
    let found = state.update_interview(&caller.user_id, update).await?;
    Ok(Response::new(message(found)))
}

/// `DeleteInterview`.
pub async fn delete(
    state: &AppState,
    request: Request<pb::DeleteInterviewRequest>,
) -> Reply<pb::DeleteInterviewResponse> {
    let caller = caller(&request)?;
    let id = domain::request_id(&request.get_ref().id)?;
    state.delete_interview(&caller.user_id, &id).await?;
    Ok(Response::new(pb::DeleteInterviewResponse {}))
}

/// `ListUpcomingInterviews`.
pub async fn upcoming(
    state: &AppState,
    request: Request<pb::ListUpcomingInterviewsRequest>,
) -> Reply<pb::ListUpcomingInterviewsResponse> {
    let caller = caller(&request)?;
    let window = interview::parse_upcoming(request.get_ref(), domain::now())?;
    let (rows, next_page_token) = state
        .list_upcoming_interviews(&caller.user_id, &window)
        .await?;
    let interviews = rows
        .into_iter()
        .map(|(row, interviewers)| {
            let ScheduledRow {
                interview,
                company,
                title,
            } = row;
            pb::ScheduledInterview {
                interview: Some(message((interview, interviewers))),
                company,
                title,
            }
        })
        .collect();
    Ok(Response::new(pb::ListUpcomingInterviewsResponse {
        interviews,
        next_page_token,
    }))
}

/// `ExportInterviews`.
pub async fn export(
    state: &AppState,
    request: Request<pb::ExportInterviewsRequest>,
) -> Reply<pb::ExportInterviewsResponse> {
    let caller = caller(&request)?;
    let window = interview::parse_export(request.get_ref())?;
    let (calendar, count) = state.export_interviews(&caller.user_id, &window).await?;
    Ok(Response::new(pb::ExportInterviewsResponse {
        calendar,
        count: i32::try_from(count).unwrap_or(i32::MAX),
    }))
}

/// A stored interview as a message. Numbers and enums were checked on the
/// way in; an out-of-range one can only be corruption and reads as 0.
fn message((row, interviewer_contact_ids): WithInterviewers<InterviewRow>) -> pb::Interview {
    let parent = row.parent();
    let number = |n: i64| i32::try_from(n).unwrap_or_default();
    pb::Interview {
        parent: Parent::name(parent.kind, &parent.id),
        id: row.id,
        round: number(row.round),
        kind: number(row.kind),
        scheduled_at: Some(timestamp(row.scheduled_at)),
        time_zone: row.time_zone,
        duration_minutes: number(row.duration_minutes),
        location: row.location,
        meeting_url: row.meeting_url,
        prep_notes: row.prep_notes,
        outcome: number(row.outcome),
        interviewer_contact_ids,
        create_time: Some(timestamp(row.create_time)),
        update_time: Some(timestamp(row.update_time)),
    }
}
