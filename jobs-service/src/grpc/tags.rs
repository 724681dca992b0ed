//! gRPC handlers for tags and search: convert the request, call the
//! service, convert the answer.

use shared::{proto::jobsearch::jobs::v1 as pb, timestamp};
use tonic::{Request, Response};

use super::{Reply, postings::message};
use crate::{
    auth::caller,
    db::tags::TagRow,
    domain::{self, Violations, search, tag::TagName},
    error::Error,
    paging::Page,
    state::AppState,
};

/// `ListTags`.
pub async fn list(
    state: &AppState,
    request: Request<pb::ListTagsRequest>,
) -> Reply<pb::ListTagsResponse> {
    let caller = caller(&request)?;
    let req = request.get_ref();
    let page = Page::parse(req.page_size, &req.page_token)?;
    let (rows, next_page_token) = state.list_tags(&caller.user_id, &page).await?;
    Ok(Response::new(pb::ListTagsResponse {
        tags: rows.into_iter().map(tag).collect(),
        next_page_token,
    }))
}

/// `RenameTag`.
pub async fn rename(state: &AppState, request: Request<pb::RenameTagRequest>) -> Reply<pb::Tag> {
    let caller = caller(&request)?;
    let req = request.get_ref();
    let mut violations = Violations::default();
    let id = violations.check("id", domain::id(&req.id));
    let name = violations.check("name", TagName::parse(&req.name));
    violations.finish()?;
    let (Some(id), Some(name)) = (id, name) else {
        return Err(Error::invalid("name", "is not valid").into());
    };
    let row = state.rename_tag(&caller.user_id, &id, &name).await?;
    Ok(Response::new(tag(row)))
}

/// `DeleteTag`.
pub async fn delete(
    state: &AppState,
    request: Request<pb::DeleteTagRequest>,
) -> Reply<pb::DeleteTagResponse> {
    let caller = caller(&request)?;
    let id = domain::request_id(&request.get_ref().id)?;
    state.delete_tag(&caller.user_id, &id).await?;
    Ok(Response::new(pb::DeleteTagResponse {}))
}

/// `SearchJobPostings`.
pub async fn search(
    state: &AppState,
    request: Request<pb::SearchJobPostingsRequest>,
) -> Reply<pb::SearchJobPostingsResponse> {
    let caller = caller(&request)?;
    let search = search::parse(request.get_ref())?;
    let (rows, next_page_token) = state.search_job_postings(&caller.user_id, &search).await?;
    Ok(Response::new(pb::SearchJobPostingsResponse {
        // Like lists, search results never carry passwords.
        job_postings: rows
            .into_iter()
            .map(|row| message(row, String::new()))
            .collect(),
        next_page_token,
    }))
}

/// A stored tag as a message. Counts are bounded by the rows a user can
/// store; a count past `u32` would be corruption and saturates.
fn tag(row: TagRow) -> pb::Tag {
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    pb::Tag {
        id: row.id,
        name: row.name,
        job_postings: count(row.job_postings),
        opportunities: count(row.opportunities),
        create_time: Some(timestamp(row.create_time)),
    }
}
