//! gRPC handlers for job postings: convert the request, call the service,
//! convert the answer.

use secrecy::ExposeSecret as _;
use shared::{proto::jobsearch::jobs::v1 as pb, timestamp};
use tonic::{Request, Response, metadata::MetadataValue};

use super::Reply;
use crate::{
    auth::caller,
    db::job_postings::JobPostingRow,
    domain::{self, job_posting},
    service::job_postings::OpenJobPosting,
    state::AppState,
};

/// The response header of a call that succeeded with a warning. On a
/// create: `duplicate; existing=jobPostings/{id}`, another posting of the
/// caller's with the same company and title (ignoring case). Browsers may
/// read it (`shared::cors` exposes it).
const WARNING_HEADER: &str = "x-jobsearch-warning";

/// `CreateJobPosting`.
pub async fn create(
    state: &AppState,
    request: Request<pb::CreateJobPostingRequest>,
) -> Reply<pb::JobPosting> {
    let caller = caller(&request)?;
    let raw = request.get_ref().job_posting.as_ref();
    let posting = job_posting::parse_create(raw, domain::now())?;
    let (created, duplicate_of) = state.create_job_posting(&caller.user_id, posting).await?;
    let mut response = Response::new(opened(created));
    if let Some(existing) = duplicate_of {
        // Ids are UUIDs, always a valid header value; a failure would only
        // lose the warning, never the stored posting.
        let warning = format!("duplicate; existing=jobPostings/{existing}");
        if let Ok(value) = MetadataValue::try_from(warning) {
            response.metadata_mut().insert(WARNING_HEADER, value);
        }
    }
    Ok(response)
}

/// `GetJobPosting`.
pub async fn get(
    state: &AppState,
    request: Request<pb::GetJobPostingRequest>,
) -> Reply<pb::JobPosting> {
    let caller = caller(&request)?;
    let id = domain::request_id(&request.get_ref().id)?;
    let posting = state.get_job_posting(&caller.user_id, &id).await?;
    Ok(Response::new(opened(posting)))
}

/// `ListJobPostings`.
pub async fn list(
    state: &AppState,
    request: Request<pb::ListJobPostingsRequest>,
) -> Reply<pb::ListJobPostingsResponse> {
    let caller = caller(&request)?;
    let (page, filter) = job_posting::parse_list(request.get_ref())?;
    let (rows, next_page_token) = state
        .list_job_postings(&caller.user_id, &page, &filter)
        .await?;
    Ok(Response::new(pb::ListJobPostingsResponse {
        // Lists never carry passwords.
        job_postings: rows
            .into_iter()
            .map(|row| message(row, String::new()))
            .collect(),
        next_page_token,
    }))
}

/// `UpdateJobPosting`.
pub async fn update(
    state: &AppState,
    request: Request<pb::UpdateJobPostingRequest>,
) -> Reply<pb::JobPosting> {
    let caller = caller(&request)?;
    let req = request.into_inner();
    let update = job_posting::parse_update(req.job_posting, req.update_mask, domain::now())?;
    let updated = state.update_job_posting(&caller.user_id, update).await?;
    Ok(Response::new(opened(updated)))
}

/// `DeleteJobPosting`.
pub async fn delete(
    state: &AppState,
    request: Request<pb::DeleteJobPostingRequest>,
) -> Reply<pb::DeleteJobPostingResponse> {
    let caller = caller(&request)?;
    let id = domain::request_id(&request.get_ref().id)?;
    state.delete_job_posting(&caller.user_id, &id).await?;
    Ok(Response::new(pb::DeleteJobPostingResponse {}))
}

/// A posting with its opened password, for its owner.
fn opened(posting: OpenJobPosting) -> pb::JobPosting {
    message(posting.row, posting.password.expose_secret().to_owned())
}

/// A stored integer that was checked to fit on the way in.
fn int32(stored: i64) -> i32 {
    i32::try_from(stored).unwrap_or_default()
}

/// A stored posting as a message, with `password` (empty in lists).
pub(super) fn message(row: JobPostingRow, password: String) -> pb::JobPosting {
    pb::JobPosting {
        id: row.id,
        job_site_id: row.job_site_id,
        company_name: row.company_name,
        posting_title: row.posting_title,
        posting_status: int32(row.posting_status),
        posting_url_full: row.posting_url_full,
        posting_url_domain: row.posting_url_domain,
        posting_password: password,
        pay_range: row.pay_range,
        location_type: int32(row.location_type),
        location_city: row.location_city,
        employment_type: int32(row.employment_type),
        applied_at: row.applied_at.map(timestamp),
        interviewed_at: row.interviewed_at.map(timestamp),
        rejected_at: row.rejected_at.map(timestamp),
        rejected_after_stage: row.rejected_after_stage,
        job_scan_info: row.job_scan_info,
        outreach_info: row.outreach_info,
        time_spent: row.time_spent.map(int32),
        technology_string: row.technology_string,
        technology_stack: row.technology_stack.0,
        comments: row
            .comments
            .0
            .into_iter()
            .map(|c| pb::Comment {
                text: c.text,
                create_time: Some(timestamp(c.create_time)),
            })
            .collect(),
        posting_application_questions: row
            .posting_application_questions
            .0
            .into_iter()
            .map(|q| pb::ApplicationQuestion {
                question: q.question,
                answer: q.answer,
            })
            .collect(),
        job_description: row.job_description,
        create_time: Some(timestamp(row.create_time)),
        update_time: Some(timestamp(row.update_time)),
        follow_up_at: row.follow_up_at.map(timestamp),
        source: int32(row.source),
        tags: row.tags,
    }
}
