//! gRPC handlers for job sites: convert the request, call the service,
//! convert the answer.

use secrecy::ExposeSecret as _;
use shared::{proto::jobsearch::jobs::v1 as pb, timestamp};
use tonic::{Request, Response};

use super::Reply;
use crate::{
    auth::caller,
    db::job_sites::JobSiteRow,
    domain::{self, job_site},
    paging::Page,
    service::job_sites::OpenJobSite,
    state::AppState,
};

/// `CreateJobSite`.
pub async fn create(
    state: &AppState,
    request: Request<pb::CreateJobSiteRequest>,
) -> Reply<pb::JobSite> {
    let caller = caller(&request)?;
    let site = job_site::parse_create(request.get_ref().job_site.as_ref())?;
    let created = state.create_job_site(&caller.user_id, site).await?;
    Ok(Response::new(opened(created)))
}

/// `GetJobSite`.
pub async fn get(state: &AppState, request: Request<pb::GetJobSiteRequest>) -> Reply<pb::JobSite> {
    let caller = caller(&request)?;
    let id = domain::request_id(&request.get_ref().id)?;
    let site = state.get_job_site(&caller.user_id, &id).await?;
    Ok(Response::new(opened(site)))
}

/// `ListJobSites`.
pub async fn list(
    state: &AppState,
    request: Request<pb::ListJobSitesRequest>,
) -> Reply<pb::ListJobSitesResponse> {
    let caller = caller(&request)?;
    let req = request.get_ref();
    let page = Page::parse(req.page_size, &req.page_token)?;
    let (rows, next_page_token) = state.list_job_sites(&caller.user_id, &page).await?;
    Ok(Response::new(pb::ListJobSitesResponse {
        // Lists never carry passwords.
        job_sites: rows
            .into_iter()
            .map(|row| message(row, String::new()))
            .collect(),
        next_page_token,
    }))
}

/// `UpdateJobSite`.
pub async fn update(
    state: &AppState,
    request: Request<pb::UpdateJobSiteRequest>,
) -> Reply<pb::JobSite> {
    let caller = caller(&request)?;
    let req = request.into_inner();
    let update = job_site::parse_update(req.job_site, req.update_mask)?;
    let updated = state.update_job_site(&caller.user_id, update).await?;
    Ok(Response::new(opened(updated)))
}

/// `DeleteJobSite`.
pub async fn delete(
    state: &AppState,
    request: Request<pb::DeleteJobSiteRequest>,
) -> Reply<pb::DeleteJobSiteResponse> {
    let caller = caller(&request)?;
    let id = domain::request_id(&request.get_ref().id)?;
    let deleted = state.delete_job_site(&caller.user_id, &id).await?;
    Ok(Response::new(pb::DeleteJobSiteResponse {
        deleted_postings: u32::try_from(deleted).unwrap_or(u32::MAX),
    }))
}

/// A site with its opened password, for its owner.
fn opened(site: OpenJobSite) -> pb::JobSite {
    message(site.row, site.password.expose_secret().to_owned())
}

/// A stored site as a message, with `password` (empty in lists).
pub(super) fn message(row: JobSiteRow, password: String) -> pb::JobSite {
    pb::JobSite {
        id: row.id,
        site_name: row.site_name,
        site_url: row.site_url,
        site_password: password,
        // Stored values were checked to be 1-5 on the way in.
        rating: i32::try_from(row.rating).unwrap_or_default(),
        resume_format: row.resume_format,
        github_field: row.github_field.0,
        project_site_field: row.project_site_field.0,
        last_visited_at: row.last_visited_at.map(timestamp),
        resume_updated_at: row.resume_updated_at.map(timestamp),
        headline: row.headline,
        description: row.description,
        create_time: Some(timestamp(row.create_time)),
        update_time: Some(timestamp(row.update_time)),
    }
}
