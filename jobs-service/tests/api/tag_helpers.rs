//! Helpers of the tag and search tests: each RPC as one call.

use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1::{self as pb, Source};
use tonic::{Status, metadata::MetadataMap};

use crate::{
    helpers::{TestApp, TestUser, authed},
    sites,
};

/// A new site of `user`'s; returns its id.
pub async fn site(app: &TestApp, user: &TestUser) -> String {
    let board = pb::JobSite {
        site_name: "Board".into(),
        ..Default::default()
    };
    sites::create(app, user, board).await.unwrap().id
}

/// A posting on `site` with `company`, `title` and `tags`.
pub fn posting(site: &str, company: &str, title: &str, tags: &[&str]) -> pb::JobPosting {
    pb::JobPosting {
        job_site_id: site.into(),
        company_name: company.into(),
        posting_title: title.into(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..Default::default()
    }
}

/// Creates `posting`; returns it and the response's metadata.
pub async fn create_posting(
    app: &TestApp,
    user: &TestUser,
    posting: pb::JobPosting,
) -> Result<(pb::JobPosting, MetadataMap), Status> {
    let request = pb::CreateJobPostingRequest {
        job_posting: Some(posting),
    };
    let mut jobs = app.jobs.clone();
    let response = jobs
        .create_job_posting(authed(request, &user.access_token))
        .await?;
    let metadata = response.metadata().clone();
    Ok((response.into_inner(), metadata))
}

/// Creates `posting`, which must succeed.
pub async fn add_posting(
    app: &TestApp,
    user: &TestUser,
    posting: pb::JobPosting,
) -> pb::JobPosting {
    create_posting(app, user, posting).await.unwrap().0
}

/// Updates the `paths` of `posting`.
pub async fn update_posting(
    app: &TestApp,
    user: &TestUser,
    posting: pb::JobPosting,
    paths: &[&str],
) -> Result<pb::JobPosting, Status> {
    let request = pb::UpdateJobPostingRequest {
        job_posting: Some(posting),
        update_mask: Some(mask(paths)),
    };
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .update_job_posting(authed(request, &user.access_token))
        .await?
        .into_inner())
}

/// An opportunity titled `title` with `source` and `tags`.
pub fn opportunity(title: &str, source: Source, tags: &[&str]) -> pb::Opportunity {
    pb::Opportunity {
        job_title: title.into(),
        source: source as i32,
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..Default::default()
    }
}

/// Creates `opportunity`.
pub async fn create_opportunity(
    app: &TestApp,
    user: &TestUser,
    opportunity: pb::Opportunity,
) -> Result<pb::Opportunity, Status> {
    let request = pb::CreateOpportunityRequest {
        opportunity: Some(opportunity),
    };
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .create_opportunity(authed(request, &user.access_token))
        .await?
        .into_inner())
}

/// Updates the `paths` of `opportunity`.
pub async fn update_opportunity(
    app: &TestApp,
    user: &TestUser,
    opportunity: pb::Opportunity,
    paths: &[&str],
) -> Result<pb::Opportunity, Status> {
    let request = pb::UpdateOpportunityRequest {
        opportunity: Some(opportunity),
        update_mask: Some(mask(paths)),
    };
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .update_opportunity(authed(request, &user.access_token))
        .await?
        .into_inner())
}

/// Every tag of `user`'s, following page tokens with pages of `page_size`.
pub async fn all_tags(app: &TestApp, user: &TestUser, page_size: i32) -> Vec<pb::Tag> {
    let mut tags = Vec::new();
    let mut page_token = String::new();
    loop {
        let request = pb::ListTagsRequest {
            page_size,
            page_token,
        };
        let mut jobs = app.jobs.clone();
        let page = jobs
            .list_tags(authed(request, &user.access_token))
            .await
            .unwrap()
            .into_inner();
        tags.extend(page.tags);
        if page.next_page_token.is_empty() {
            return tags;
        }
        page_token = page.next_page_token;
    }
}

/// Every posting id `request` lists, following page tokens.
pub async fn listed_postings(
    app: &TestApp,
    user: &TestUser,
    request: pb::ListJobPostingsRequest,
) -> Result<Vec<String>, Status> {
    let mut ids = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = pb::ListJobPostingsRequest {
            page_token,
            ..request.clone()
        };
        let mut jobs = app.jobs.clone();
        let page = jobs
            .list_job_postings(authed(page, &user.access_token))
            .await?
            .into_inner();
        ids.extend(page.job_postings.into_iter().map(|p| p.id));
        if page.next_page_token.is_empty() {
            return Ok(ids);
        }
        page_token = page.next_page_token;
    }
}

/// Every opportunity id `request` lists, following page tokens.
pub async fn listed_opportunities(
    app: &TestApp,
    user: &TestUser,
    request: pb::ListOpportunitiesRequest,
) -> Result<Vec<String>, Status> {
    let mut ids = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = pb::ListOpportunitiesRequest {
            page_token,
            ..request.clone()
        };
        let mut jobs = app.jobs.clone();
        let page = jobs
            .list_opportunities(authed(page, &user.access_token))
            .await?
            .into_inner();
        ids.extend(page.opportunities.into_iter().map(|p| p.id));
        if page.next_page_token.is_empty() {
            return Ok(ids);
        }
        page_token = page.next_page_token;
    }
}

/// Every posting id `request` finds, in order, following page tokens.
pub async fn found(
    app: &TestApp,
    user: &TestUser,
    request: pb::SearchJobPostingsRequest,
) -> Result<Vec<String>, Status> {
    Ok(found_postings(app, user, request)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// Every posting `request` finds, in order, following page tokens from
/// its own.
pub async fn found_postings(
    app: &TestApp,
    user: &TestUser,
    request: pb::SearchJobPostingsRequest,
) -> Result<Vec<pb::JobPosting>, Status> {
    let mut postings = Vec::new();
    let mut page_token = request.page_token.clone();
    loop {
        let page = pb::SearchJobPostingsRequest {
            page_token,
            ..request.clone()
        };
        let mut jobs = app.jobs.clone();
        let page = jobs
            .search_job_postings(authed(page, &user.access_token))
            .await?
            .into_inner();
        postings.extend(page.job_postings);
        if page.next_page_token.is_empty() {
            return Ok(postings);
        }
        page_token = page.next_page_token;
    }
}

/// A search for `query`, default filters and page size.
pub fn query(query: &str) -> pb::SearchJobPostingsRequest {
    pb::SearchJobPostingsRequest {
        query: query.into(),
        ..Default::default()
    }
}

fn mask(paths: &[&str]) -> FieldMask {
    FieldMask {
        paths: paths.iter().map(|p| (*p).to_owned()).collect(),
    }
}
