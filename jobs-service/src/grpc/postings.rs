//! gRPC handlers for job postings: convert the request, call the service,
//! convert the answer.

use shared::proto::jobsearch::jobs::v1 as pb;
use tonic::{Request, Status};

use super::Reply;
use crate::state::AppState;

/// `CreateJobPosting`.
pub async fn create(
    _state: &AppState,
    _request: Request<pb::CreateJobPostingRequest>,
) -> Reply<pb::JobPosting> {
    Err(Status::unimplemented("not yet"))
}

/// `GetJobPosting`.
pub async fn get(
    _state: &AppState,
    _request: Request<pb::GetJobPostingRequest>,
) -> Reply<pb::JobPosting> {
    Err(Status::unimplemented("not yet"))
}

/// `ListJobPostings`.
pub async fn list(
    _state: &AppState,
    _request: Request<pb::ListJobPostingsRequest>,
) -> Reply<pb::ListJobPostingsResponse> {
    Err(Status::unimplemented("not yet"))
}

/// `UpdateJobPosting`.
pub async fn update(
    _state: &AppState,
    _request: Request<pb::UpdateJobPostingRequest>,
) -> Reply<pb::JobPosting> {
    Err(Status::unimplemented("not yet"))
}

/// `DeleteJobPosting`.
pub async fn delete(
    _state: &AppState,
    _request: Request<pb::DeleteJobPostingRequest>,
) -> Reply<pb::DeleteJobPostingResponse> {
    Err(Status::unimplemented("not yet"))
}
