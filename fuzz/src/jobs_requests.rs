//! Every request message the jobs-service accepts, decoded from arbitrary
//! bytes with prost and run through the service's own validation, exactly as
//! its gRPC handlers do before anything reaches the database.
//!
//! The first input byte picks the message ([`KINDS`], modulo its length).
//! Beyond "never panics", each check asserts what the handlers rely on:
//! a refusal is `INVALID_ARGUMENT` with named fields (never `INTERNAL`), and
//! an accepted update changes something.

use jobs_service::{
    domain::{self, job_posting, job_site, opportunity},
    error::Error,
    paging::{MAX_PAGE_SIZE, Page},
    service::{dashboard::DashboardQuery, reports::ReportQuery},
};
use prost::Message;
use shared::proto::jobsearch::jobs::v1 as pb;

use crate::NOW;

/// The messages, by the leading byte that selects them.
pub const KINDS: [&str; 17] = [
    "CreateJobSite",
    "GetJobSite",
    "ListJobSites",
    "UpdateJobSite",
    "DeleteJobSite",
    "CreateJobPosting",
    "GetJobPosting",
    "ListJobPostings",
    "UpdateJobPosting",
    "DeleteJobPosting",
    "CreateOpportunity",
    "GetOpportunity",
    "ListOpportunities",
    "UpdateOpportunity",
    "DeleteOpportunity",
    "GetReport",
    "GetDashboard",
];

/// The leading byte selecting `name`.
pub fn kind(name: &str) -> u8 {
    let index = KINDS.iter().position(|k| *k == name).expect("a known kind");
    u8::try_from(index).expect("fewer than 256 kinds")
}

/// Decodes `bytes` as the message `kind` selects and validates it.
pub fn run(kind: u8, bytes: &[u8]) {
    match KINDS[usize::from(kind) % KINDS.len()] {
        "CreateJobSite" => with::<pb::CreateJobSiteRequest>(bytes, |r| {
            accepted(job_site::parse_create(r.job_site.as_ref()));
        }),
        "UpdateJobSite" => with::<pb::UpdateJobSiteRequest>(bytes, |r| {
            if let Some(update) = accepted(job_site::parse_update(r.job_site, r.update_mask)) {
                let changes = update.changes;
                assert!(!changes.columns.is_empty() || changes.password.is_some());
            }
        }),
        "ListJobSites" => with::<pb::ListJobSitesRequest>(bytes, |r| {
            page(Page::parse(r.page_size, &r.page_token));
        }),
        "CreateJobPosting" => with::<pb::CreateJobPostingRequest>(bytes, |r| {
            if let Some(posting) = accepted(job_posting::parse_create(r.job_posting.as_ref(), NOW))
            {
                assert!(domain::id(&posting.job_site_id).is_ok());
            }
        }),
        "UpdateJobPosting" => with::<pb::UpdateJobPostingRequest>(bytes, |r| {
            let update = job_posting::parse_update(r.job_posting, r.update_mask, NOW);
            if let Some(update) = accepted(update) {
                let changes = update.changes;
                assert!(
                    !changes.columns.is_empty()
                        || changes.password.is_some()
                        || changes.job_site_id.is_some()
                );
            }
        }),
        "ListJobPostings" => with::<pb::ListJobPostingsRequest>(bytes, |r| {
            if let Some((p, filter)) = accepted(job_posting::parse_list(&r)) {
                page(Ok(p));
                assert_eq!(filter.statuses.len(), r.statuses.len());
            }
        }),
        "CreateOpportunity" => with::<pb::CreateOpportunityRequest>(bytes, |r| {
            accepted(opportunity::parse_create(r.opportunity.as_ref(), NOW));
        }),
        "UpdateOpportunity" => with::<pb::UpdateOpportunityRequest>(bytes, |r| {
            let update = opportunity::parse_update(r.opportunity, r.update_mask, NOW);
            if let Some(update) = accepted(update) {
                assert!(!update.columns.is_empty());
            }
        }),
        "ListOpportunities" => with::<pb::ListOpportunitiesRequest>(bytes, |r| {
            page(Page::parse(r.page_size, &r.page_token));
        }),
        "GetReport" => with::<pb::GetReportRequest>(bytes, |r| {
            accepted(ReportQuery::parse(r, NOW));
        }),
        "GetDashboard" => with::<pb::GetDashboardRequest>(bytes, |r| {
            accepted(DashboardQuery::parse(&r, NOW));
        }),
        // Get and Delete carry only an id, checked the same way for each resource.
        "GetJobSite" => with::<pb::GetJobSiteRequest>(bytes, |r| id(&r.id)),
        "DeleteJobSite" => with::<pb::DeleteJobSiteRequest>(bytes, |r| id(&r.id)),
        "GetJobPosting" => with::<pb::GetJobPostingRequest>(bytes, |r| id(&r.id)),
        "DeleteJobPosting" => with::<pb::DeleteJobPostingRequest>(bytes, |r| id(&r.id)),
        "GetOpportunity" => with::<pb::GetOpportunityRequest>(bytes, |r| id(&r.id)),
        "DeleteOpportunity" => with::<pb::DeleteOpportunityRequest>(bytes, |r| id(&r.id)),
        other => unreachable!("no check for {other}"),
    }
}

/// Runs `check` on `bytes` decoded as `M`; bytes that are not an `M` are
/// refused by tonic before any handler runs, so they end here.
fn with<M: Message + Default>(bytes: &[u8], check: impl FnOnce(M)) {
    if let Ok(message) = M::decode(bytes) {
        check(message);
    }
}

/// The value of an accepted request; a refusal must be `INVALID_ARGUMENT`
/// naming at least one field, each with a reason, and must convert into a
/// gRPC status.
fn accepted<T>(result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(Error::InvalidArgument(violations)) => {
            assert!(!violations.is_empty(), "INVALID_ARGUMENT without fields");
            for (field, reason) in &violations {
                assert!(!field.is_empty() && !reason.is_empty());
            }
            let status = tonic::Status::from(Error::InvalidArgument(violations));
            assert_eq!(status.code(), tonic::Code::InvalidArgument);
            None
        }
        Err(other) => panic!("validation answered {other:?}, not INVALID_ARGUMENT"),
    }
}

/// A page request is accepted only with a size in range.
fn page(result: Result<Page, Error>) {
    if let Some(page) = accepted(result) {
        assert!((1..=MAX_PAGE_SIZE).contains(&page.size));
    }
}

fn id(raw: &str) {
    accepted(domain::request_id(raw));
}
