//! gRPC handlers for contacts and their links: convert the request, call
//! the service, convert the answer.

use shared::{proto::jobsearch::jobs::v1 as pb, timestamp};
use tonic::{Request, Response};

use super::Reply;
use crate::{
    auth::caller,
    db::contacts::{ContactRow, LinkRow},
    domain::{self, contact},
    error::Result,
    state::AppState,
};

/// `CreateContact`.
pub async fn create(
    state: &AppState,
    request: Request<pb::CreateContactRequest>,
) -> Reply<pb::Contact> {
    let caller = caller(&request)?;
    let columns = contact::parse_create(request.get_ref().contact.as_ref())?;
    let row = state.create_contact(&caller.user_id, columns).await?;
    Ok(Response::new(message(row)?))
}

/// `GetContact`.
pub async fn get(state: &AppState, request: Request<pb::GetContactRequest>) -> Reply<pb::Contact> {
    let caller = caller(&request)?;
    let id = domain::request_id(&request.get_ref().id)?;
    let row = state.get_contact(&caller.user_id, &id).await?;
    Ok(Response::new(message(row)?))
}

/// `ListContacts`.
pub async fn list(
    state: &AppState,
    request: Request<pb::ListContactsRequest>,
) -> Reply<pb::ListContactsResponse> {
    let caller = caller(&request)?;
    let query = contact::parse_list(request.get_ref())?;
    let (rows, next_page_token, links) = state.list_contacts(&caller.user_id, &query).await?;
    Ok(Response::new(pb::ListContactsResponse {
        contacts: rows.into_iter().map(message).collect::<Result<_>>()?,
        next_page_token,
        links: links.into_iter().map(link_message).collect(),
    }))
}

/// `UpdateContact`.
pub async fn update(
    state: &AppState,
    request: Request<pb::UpdateContactRequest>,
) -> Reply<pb::Contact> {
    let caller = caller(&request)?;
    let req = request.into_inner();
    let update = contact::parse_update(req.contact, req.update_mask)?;
    let row = state.update_contact(&caller.user_id, update).await?;
    Ok(Response::new(message(row)?))
}

/// `DeleteContact`.
pub async fn delete(
    state: &AppState,
    request: Request<pb::DeleteContactRequest>,
) -> Reply<pb::DeleteContactResponse> {
    let caller = caller(&request)?;
    let id = domain::request_id(&request.get_ref().id)?;
    state.delete_contact(&caller.user_id, &id).await?;
    Ok(Response::new(pb::DeleteContactResponse {}))
}

/// `LinkContact`.
pub async fn link(
    state: &AppState,
    request: Request<pb::LinkContactRequest>,
) -> Reply<pb::ContactLink> {
    let caller = caller(&request)?;
    let link = contact::parse_link(request.get_ref().link.as_ref())?;
    let row = state.link_contact(&caller.user_id, link).await?;
    Ok(Response::new(link_message(row)))
}

/// `UnlinkContact`.
pub async fn unlink(
    state: &AppState,
    request: Request<pb::UnlinkContactRequest>,
) -> Reply<pb::UnlinkContactResponse> {
    let caller = caller(&request)?;
    let link = contact::parse_unlink(request.get_ref())?;
    state.unlink_contact(&caller.user_id, link).await?;
    Ok(Response::new(pb::UnlinkContactResponse {}))
}

/// A stored contact as a message.
fn message(row: ContactRow) -> Result<pb::Contact> {
    Ok(pb::Contact {
        links: contact::links_from_json(&row.links)?,
        id: row.id,
        name: row.name,
        company: row.company,
        title: row.title,
        email: row.email,
        phone: row.phone,
        notes: row.notes,
        create_time: Some(timestamp(row.create_time)),
        update_time: Some(timestamp(row.update_time)),
    })
}

/// A stored link as a message.
fn link_message(row: LinkRow) -> pb::ContactLink {
    pb::ContactLink {
        target: row.target().name(),
        contact_id: row.contact_id,
        role: i32::try_from(row.role).unwrap_or_default(),
        create_time: Some(timestamp(row.create_time)),
    }
}
