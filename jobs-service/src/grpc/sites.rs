//! gRPC handlers for job sites: convert the request, call the service,
//! convert the answer.

use shared::proto::jobsearch::jobs::v1 as pb;
use tonic::{Request, Status};

use super::Reply;
use crate::state::AppState;

/// `CreateJobSite`.
pub async fn create(
    _state: &AppState,
    _request: Request<pb::CreateJobSiteRequest>,
) -> Reply<pb::JobSite> {
    Err(Status::unimplemented("not yet"))
}

/// `GetJobSite`.
pub async fn get(
    _state: &AppState,
    _request: Request<pb::GetJobSiteRequest>,
) -> Reply<pb::JobSite> {
    Err(Status::unimplemented("not yet"))
}

/// `ListJobSites`.
pub async fn list(
    _state: &AppState,
    _request: Request<pb::ListJobSitesRequest>,
) -> Reply<pb::ListJobSitesResponse> {
    Err(Status::unimplemented("not yet"))
}

/// `UpdateJobSite`.
pub async fn update(
    _state: &AppState,
    _request: Request<pb::UpdateJobSiteRequest>,
) -> Reply<pb::JobSite> {
    Err(Status::unimplemented("not yet"))
}

/// `DeleteJobSite`.
pub async fn delete(
    _state: &AppState,
    _request: Request<pb::DeleteJobSiteRequest>,
) -> Reply<pb::DeleteJobSiteResponse> {
    Err(Status::unimplemented("not yet"))
}
