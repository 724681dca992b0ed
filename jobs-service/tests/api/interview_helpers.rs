//! Helpers of the interview and contact tests: parents to hang things on,
//! and each RPC as one call.

use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1 as pb;
use tonic::Status;

use crate::helpers::{TestApp, TestUser, authed, ts};

/// Calls `$method` of the jobs client as `$user` with `$request`, giving
/// the response message or the status.
macro_rules! call {
    ($app:expr, $user:expr, $method:ident, $request:expr) => {{
        let mut jobs = $app.jobs.clone();
        jobs.$method(crate::helpers::authed($request, &$user.access_token))
            .await
            .map(tonic::Response::into_inner)
    }};
}
pub(crate) use call;

/// A field mask of `paths`.
pub fn mask(paths: &[&str]) -> Option<FieldMask> {
    Some(FieldMask {
        paths: paths.iter().map(|p| (*p).to_owned()).collect(),
    })
}

/// A new opportunity of `user`'s, as given (job title set).
pub async fn new_opportunity(
    app: &TestApp,
    user: &TestUser,
    opportunity: pb::Opportunity,
) -> Result<pb::Opportunity, Status> {
    let request = pb::CreateOpportunityRequest {
        opportunity: Some(pb::Opportunity {
            job_title: "Platform engineer".into(),
            ..opportunity
        }),
    };
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .create_opportunity(authed(request, &user.access_token))
        .await?
        .into_inner())
}

/// An interview at `at` (other fields default).
pub fn at(at: i64) -> pb::Interview {
    pb::Interview {
        scheduled_at: Some(ts(at)),
        ..Default::default()
    }
}

/// Schedules `interview` under `parent`.
pub async fn schedule(
    app: &TestApp,
    user: &TestUser,
    parent: &str,
    interview: pb::Interview,
) -> Result<pb::Interview, Status> {
    let request = pb::CreateInterviewRequest {
        parent: parent.into(),
        interview: Some(interview),
    };
    call!(app, user, create_interview, request)
}

/// Every interview of `parent` (one page).
pub async fn interviews_of(
    app: &TestApp,
    user: &TestUser,
    parent: &str,
) -> Result<Vec<pb::Interview>, Status> {
    let request = pb::ListInterviewsRequest {
        parent: parent.into(),
        ..Default::default()
    };
    let page = call!(app, user, list_interviews, request)?;
    assert!(page.next_page_token.is_empty());
    Ok(page.interviews)
}

/// One interview.
pub async fn get_interview(
    app: &TestApp,
    user: &TestUser,
    id: &str,
) -> Result<pb::Interview, Status> {
    call!(
        app,
        user,
        get_interview,
        pb::GetInterviewRequest { id: id.into() }
    )
}

/// A contact named `name`.
pub async fn new_contact(
    app: &TestApp,
    user: &TestUser,
    contact: pb::Contact,
) -> Result<pb::Contact, Status> {
    let request = pb::CreateContactRequest {
        contact: Some(contact),
    };
    call!(app, user, create_contact, request)
}

/// A contact with just a name.
pub fn named(name: &str) -> pb::Contact {
    pb::Contact {
        name: name.into(),
        ..Default::default()
    }
}

/// Links `contact_id` to `target` in `role`.
pub async fn link(
    app: &TestApp,
    user: &TestUser,
    contact_id: &str,
    target: &str,
    role: pb::ContactRole,
) -> Result<pb::ContactLink, Status> {
    let request = pb::LinkContactRequest {
        link: Some(pb::ContactLink {
            contact_id: contact_id.into(),
            target: target.into(),
            role: role as i32,
            create_time: None,
        }),
    };
    call!(app, user, link_contact, request)
}

/// The contacts linked to `parent` and their links (one page).
pub async fn contacts_of(
    app: &TestApp,
    user: &TestUser,
    parent: &str,
) -> Result<pb::ListContactsResponse, Status> {
    let request = pb::ListContactsRequest {
        parent: parent.into(),
        ..Default::default()
    };
    call!(app, user, list_contacts, request)
}

/// The calendar of every interview.
pub async fn export(app: &TestApp, user: &TestUser) -> pb::ExportInterviewsResponse {
    call!(
        app,
        user,
        export_interviews,
        pb::ExportInterviewsRequest::default()
    )
    .unwrap()
}
