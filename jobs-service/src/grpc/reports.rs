//! gRPC handlers for reports and the dashboard: convert the request, call the service,
//! convert the answer.

use shared::{
    proto::jobsearch::jobs::v1::{self as pb, get_report_response::Report as Answer},
    timestamp,
};
use tonic::{Request, Response};

use super::Reply;
use crate::{
    auth::caller,
    domain,
    service::{
        dashboard::{Dashboard, DashboardQuery, PeriodCounts},
        reports::{Report, ReportQuery},
    },
    state::AppState,
};

/// `GetReport`.
pub async fn report(
    state: &AppState,
    request: Request<pb::GetReportRequest>,
) -> Reply<pb::GetReportResponse> {
    let caller = caller(&request)?;
    let query = ReportQuery::parse(request.into_inner(), domain::now())?;
    let report = state.get_report(&caller.user_id, query).await?;
    Ok(Response::new(pb::GetReportResponse {
        report: Some(report_to_pb(report)),
    }))
}

/// `GetDashboard`.
pub async fn dashboard(
    state: &AppState,
    request: Request<pb::GetDashboardRequest>,
) -> Reply<pb::GetDashboardResponse> {
    let caller = caller(&request)?;
    let query = DashboardQuery::parse(request.get_ref(), domain::now())?;
    let dashboard = state.get_dashboard(&caller.user_id, query).await?;
    Ok(Response::new(dashboard_to_pb(dashboard)))
}

fn report_to_pb(report: Report) -> Answer {
    match report {
        Report::AppliedSince(rows) => Answer::AppliedSince(pb::AppliedSinceReport {
            rows: rows
                .into_iter()
                .map(|row| pb::AppliedSinceRow {
                    job_posting_id: row.job_posting_id,
                    company_name: row.company_name,
                    posting_title: row.posting_title,
                    posting_status: i32::try_from(row.posting_status).unwrap_or_default(),
                    applied_at: Some(timestamp(row.applied_at)),
                    job_site_id: row.job_site_id,
                    site_name: row.site_name,
                })
                .collect(),
        }),
        Report::PostingsPerSite(rows) => Answer::PostingsPerSite(pb::PostingsPerSiteReport {
            rows: rows
                .into_iter()
                .map(|row| pb::PostingsPerSiteRow {
                    job_site_id: row.job_site_id,
                    site_name: row.site_name,
                    postings: count(row.postings),
                    applied: count(row.applied),
                })
                .collect(),
        }),
        Report::ApplicationsPerWeek(rows) => {
            Answer::ApplicationsPerWeek(pb::ApplicationsPerWeekReport {
                rows: rows
                    .into_iter()
                    .map(|row| pb::ApplicationsPerWeekRow {
                        week_start: Some(timestamp(row.week_start)),
                        applications: row.applications,
                    })
                    .collect(),
            })
        }
    }
}

fn dashboard_to_pb(dashboard: Dashboard) -> pb::GetDashboardResponse {
    let period = |counts: PeriodCounts| pb::PeriodCounts {
        postings: count(counts.postings),
        responses: count(counts.responses),
    };
    pb::GetDashboardResponse {
        first_date: Some(timestamp(dashboard.query.first_date)),
        second_date: Some(timestamp(dashboard.query.second_date)),
        since_first_date: Some(period(dashboard.since_first_date)),
        between_dates: Some(period(dashboard.between_dates)),
        since_second_date: Some(period(dashboard.since_second_date)),
        active_postings: count(dashboard.active_postings),
        active_opportunities: count(dashboard.active_opportunities),
    }
}

/// A database count as a `uint32`, saturating.
fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}
