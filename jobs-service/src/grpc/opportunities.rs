//! gRPC handlers for recruiter opportunities: convert the request, call the service,
//! convert the answer.

use shared::{proto::jobsearch::jobs::v1 as pb, timestamp};
use tonic::{Request, Response};

use super::Reply;
use crate::{
    auth::caller,
    db::opportunities::OpportunityRow,
    domain::{
        self,
        opportunity::{comments_from_json, parse_create, parse_list, parse_update},
    },
    error::{Error, Result},
    state::AppState,
};

/// `CreateOpportunity`.
pub async fn create(
    state: &AppState,
    request: Request<pb::CreateOpportunityRequest>,
) -> Reply<pb::Opportunity> {
    let caller = caller(&request)?;
    let raw = request.into_inner().opportunity;
    let new = parse_create(raw.as_ref(), domain::now())?;
    let row = state.create_opportunity(&caller.user_id, new).await?;
    Ok(Response::new(to_pb(row)?))
}

/// `GetOpportunity`.
pub async fn get(
    state: &AppState,
    request: Request<pb::GetOpportunityRequest>,
) -> Reply<pb::Opportunity> {
    let caller = caller(&request)?;
    let id = parse_id(&request.get_ref().id)?;
    let row = state.get_opportunity(&caller.user_id, &id).await?;
    Ok(Response::new(to_pb(row)?))
}

/// `ListOpportunities`.
pub async fn list(
    state: &AppState,
    request: Request<pb::ListOpportunitiesRequest>,
) -> Reply<pb::ListOpportunitiesResponse> {
    let caller = caller(&request)?;
    let (page, filter) = parse_list(request.get_ref())?;
    let (rows, next_page_token) = state
        .list_opportunities(&caller.user_id, &page, &filter)
        .await?;
    Ok(Response::new(pb::ListOpportunitiesResponse {
        opportunities: rows.into_iter().map(to_pb).collect::<Result<_>>()?,
        next_page_token,
    }))
}

/// `UpdateOpportunity`.
pub async fn update(
    state: &AppState,
    request: Request<pb::UpdateOpportunityRequest>,
) -> Reply<pb::Opportunity> {
    let caller = caller(&request)?;
    let req = request.into_inner();
    let update = parse_update(req.opportunity, req.update_mask, domain::now())?;
    let row = state.update_opportunity(&caller.user_id, update).await?;
    Ok(Response::new(to_pb(row)?))
}

/// `DeleteOpportunity`.
pub async fn delete(
    state: &AppState,
    request: Request<pb::DeleteOpportunityRequest>,
) -> Reply<pb::DeleteOpportunityResponse> {
    let caller = caller(&request)?;
    let id = parse_id(&request.get_ref().id)?;
    state.delete_opportunity(&caller.user_id, &id).await?;
    Ok(Response::new(pb::DeleteOpportunityResponse {}))
}

/// The request's `id`, or `INVALID_ARGUMENT` on `id`.
fn parse_id(raw: &str) -> Result<String> {
    domain::id(raw).map_err(|reason| Error::invalid("id", reason))
}

/// A stored opportunity as clients see it.
pub(super) fn to_pb(row: OpportunityRow) -> Result<pb::Opportunity> {
    let comments = comments_from_json(&row.comments)?
        .into_iter()
        .map(|c| pb::Comment {
            text: c.text,
            create_time: Some(timestamp(c.create_time)),
        })
        .collect();
    Ok(pb::Opportunity {
        id: row.id,
        job_title: row.job_title,
        opportunity_status: enum_number(row.opportunity_status),
        recruiter_name: row.recruiter_name,
        recruiter_company: row.recruiter_company,
        email_received_at: row.email_received_at.map(timestamp),
        employment_type: enum_number(row.employment_type),
        job_duration: row.job_duration,
        location_type: enum_number(row.location_type),
        location_city: row.location_city,
        comments,
        job_description: row.job_description,
        create_time: Some(timestamp(row.create_time)),
        update_time: Some(timestamp(row.update_time)),
        follow_up_at: row.follow_up_at.map(timestamp),
        recruiter_contact_id: row.recruiter_contact_id.unwrap_or_default(),
        source: enum_number(row.source),
        tags: row.tags,
    })
}

/// A stored enum number; only validated values are ever stored, so an
/// out-of-range one can only be corruption and reads as UNSPECIFIED.
fn enum_number(stored: i64) -> i32 {
    i32::try_from(stored).unwrap_or_default()
}
