//! gRPC handlers for reports and the dashboard: convert the request, call the service,
//! convert the answer.

use shared::proto::jobsearch::jobs::v1 as pb;
use tonic::{Request, Status};

use super::Reply;
use crate::state::AppState;

/// `GetReport`.
pub async fn report(
    _state: &AppState,
    _request: Request<pb::GetReportRequest>,
) -> Reply<pb::GetReportResponse> {
    Err(Status::unimplemented("not yet"))
}

/// `GetDashboard`.
pub async fn dashboard(
    _state: &AppState,
    _request: Request<pb::GetDashboardRequest>,
) -> Reply<pb::GetDashboardResponse> {
    Err(Status::unimplemented("not yet"))
}
