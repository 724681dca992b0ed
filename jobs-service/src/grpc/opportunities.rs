//! gRPC handlers for recruiter opportunities: convert the request, call the service,
//! convert the answer.

use shared::proto::jobsearch::jobs::v1 as pb;
use tonic::{Request, Status};

use super::Reply;
use crate::state::AppState;

/// `CreateOpportunity`.
pub async fn create(
    _state: &AppState,
    _request: Request<pb::CreateOpportunityRequest>,
) -> Reply<pb::Opportunity> {
    Err(Status::unimplemented("not yet"))
}

/// `GetOpportunity`.
pub async fn get(
    _state: &AppState,
    _request: Request<pb::GetOpportunityRequest>,
) -> Reply<pb::Opportunity> {
    Err(Status::unimplemented("not yet"))
}

/// `ListOpportunities`.
pub async fn list(
    _state: &AppState,
    _request: Request<pb::ListOpportunitiesRequest>,
) -> Reply<pb::ListOpportunitiesResponse> {
    Err(Status::unimplemented("not yet"))
}

/// `UpdateOpportunity`.
pub async fn update(
    _state: &AppState,
    _request: Request<pb::UpdateOpportunityRequest>,
) -> Reply<pb::Opportunity> {
    Err(Status::unimplemented("not yet"))
}

/// `DeleteOpportunity`.
pub async fn delete(
    _state: &AppState,
    _request: Request<pb::DeleteOpportunityRequest>,
) -> Reply<pb::DeleteOpportunityResponse> {
    Err(Status::unimplemented("not yet"))
}
