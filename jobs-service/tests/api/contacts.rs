//! Contacts: created, read, listed, edited and deleted; linked to postings,
//! opportunities and interviews in a role, only ever the caller's own on
//! both ends.

use shared::proto::jobsearch::jobs::v1::{self as pb, ContactRole};
use tonic::{Code, Status};
use tonic_types::StatusExt as _;

use crate::{
    helpers::{now, spawn_app},
    interview_helpers::{
        at, call, contacts_of, get_interview, link, mask, named, new_contact, schedule,
    },
    stage_helpers::{DAY, new_posting, posting_parent},
};

fn violated_fields(status: &Status) -> Vec<String> {
    status
        .get_details_bad_request()
        .expect("field violations")
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect()
}

#[tokio::test]
async fn a_contact_is_created_read_listed_edited_and_deleted() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let wanted = pb::Contact {
        name: " Grace Hopper ".into(),
        company: "Navy".into(),
        title: "Rear admiral".into(),
        email: "grace@example.com".into(),
        phone: "+1 (555) 010-0199".into(),
        links: vec!["https://www.linkedin.com/in/grace".into()],
        notes: "met at the conference\nfollow up in May".into(),
        ..Default::default()
    };
    let grace = new_contact(&app, &ada, wanted).await.unwrap();
    assert_eq!(grace.name, "Grace Hopper");
    assert_eq!(grace.links, ["https://www.linkedin.com/in/grace"]);
    let request = pb::GetContactRequest {
        id: grace.id.clone(),
    };
    assert_eq!(call!(app, ada, get_contact, request).unwrap(), grace);
    let alan = new_contact(&app, &ada, named("Alan")).await.unwrap();

    let list = call!(app, ada, list_contacts, pb::ListContactsRequest::default()).unwrap();
    assert_eq!(list.contacts, [grace.clone(), alan.clone()]);
    assert!(list.links.is_empty());

    let edit = pb::Contact {
        id: grace.id.clone(),
        title: "Commodore".into(),
        links: vec![],
        name: String::new(), // not in the mask
        ..Default::default()
    };
    let request = pb::UpdateContactRequest {
        contact: Some(edit),
        update_mask: mask(&["title", "links"]),
    };
    let edited = call!(app, ada, update_contact, request).unwrap();
    assert_eq!(
        (edited.name.as_str(), edited.title.as_str()),
        ("Grace Hopper", "Commodore")
    );
    assert!(edited.links.is_empty());

    let request = pb::DeleteContactRequest {
        id: grace.id.clone(),
    };
    call!(app, ada, delete_contact, request.clone()).unwrap();
    let status = call!(app, ada, delete_contact, request).unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let list = call!(app, ada, list_contacts, pb::ListContactsRequest::default()).unwrap();
    assert_eq!(list.contacts, [alan]);
}

#[tokio::test]
async fn bad_contacts_and_links_are_refused_naming_each_field() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bad = pb::Contact {
        name: "   ".into(),
        email: "grace@".into(),
        phone: "call me".into(),
        links: vec!["ftp://example.com".into()],
        ..Default::default()
    };
    let status = new_contact(&app, &ada, bad).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        violated_fields(&status),
        [
            "contact.name",
            "contact.email",
            "contact.phone",
            "contact.links[0]"
        ]
    );
    let status = link(&app, &ada, "nope", "jobSites/1", ContactRole::Unspecified)
        .await
        .unwrap_err();
    assert_eq!(
        violated_fields(&status),
        ["link.contact_id", "link.target", "link.role"]
    );
    let request = pb::ListContactsRequest {
        parent: "interviews/42".into(),
        ..Default::default()
    };
    let status = call!(app, ada, list_contacts, request).unwrap_err();
    assert_eq!(violated_fields(&status), ["parent"]);
    let list = call!(app, ada, list_contacts, pb::ListContactsRequest::default()).unwrap();
    assert!(list.contacts.is_empty());
}

#[tokio::test]
async fn linked_contacts_list_under_their_targets_with_their_roles() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let interview = schedule(&app, &ada, &parent, at(now() + DAY))
        .await
        .unwrap();
    let interview_target = format!("interviews/{}", interview.id);
    let grace = new_contact(&app, &ada, named("Grace")).await.unwrap();
    let alan = new_contact(&app, &ada, named("Alan")).await.unwrap();
    new_contact(&app, &ada, named("Unlinked")).await.unwrap();

    let made = link(&app, &ada, &grace.id, &parent, ContactRole::Recruiter).await;
    let made = made.unwrap();
    assert_eq!(
        (made.target.as_str(), made.role()),
        (parent.as_str(), ContactRole::Recruiter)
    );
    // Linking again in the same role returns the first link.
    let again = link(&app, &ada, &grace.id, &parent, ContactRole::Recruiter).await;
    assert_eq!(again.unwrap(), made);
    link(&app, &ada, &grace.id, &parent, ContactRole::HiringManager)
        .await
        .unwrap();
    link(
        &app,
        &ada,
        &alan.id,
        &interview_target,
        ContactRole::Interviewer,
    )
    .await
    .unwrap();
    link(
        &app,
        &ada,
        &grace.id,
        &interview_target,
        ContactRole::Interviewer,
    )
    .await
    .unwrap();

    let listed = contacts_of(&app, &ada, &parent).await.unwrap();
    let names: Vec<_> = listed.contacts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Grace"]);
    let roles: Vec<_> = listed.links.iter().map(pb::ContactLink::role).collect();
    assert_eq!(roles, [ContactRole::Recruiter, ContactRole::HiringManager]);
    let mut interviewers = vec![grace.id.clone(), alan.id.clone()];
    interviewers.sort();
    let got = get_interview(&app, &ada, &interview.id).await.unwrap();
    assert_eq!(got.interviewer_contact_ids, interviewers);
    let listed = contacts_of(&app, &ada, &interview_target).await.unwrap();
    assert_eq!(listed.contacts.len(), 2);

    // Unlinking one role keeps the other; an unspecified role removes all.
    let unlink = |role: ContactRole| pb::UnlinkContactRequest {
        contact_id: grace.id.clone(),
        target: parent.clone(),
        role: role as i32,
    };
    call!(app, ada, unlink_contact, unlink(ContactRole::Recruiter)).unwrap();
    let listed = contacts_of(&app, &ada, &parent).await.unwrap();
    let roles: Vec<_> = listed.links.iter().map(pb::ContactLink::role).collect();
    assert_eq!(roles, [ContactRole::HiringManager]);
    call!(app, ada, unlink_contact, unlink(ContactRole::Unspecified)).unwrap();
    assert!(
        contacts_of(&app, &ada, &parent)
            .await
            .unwrap()
            .contacts
            .is_empty()
    );
    let status = call!(app, ada, unlink_contact, unlink(ContactRole::Other)).unwrap_err();
    assert_eq!(status.code(), Code::NotFound);

    // Deleting the interview takes its links; deleting a contact takes its own.
    let request = pb::DeleteContactRequest { id: alan.id };
    call!(app, ada, delete_contact, request).unwrap();
    let got = get_interview(&app, &ada, &interview.id).await.unwrap();
    assert_eq!(got.interviewer_contact_ids, [grace.id]);
    let request = pb::DeleteInterviewRequest { id: interview.id };
    call!(app, ada, delete_interview, request).unwrap();
    let status = contacts_of(&app, &ada, &interview_target)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
}

#[tokio::test]
async fn contacts_never_link_across_users() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let ada_posting = posting_parent(&new_posting(&app, &ada, pb::JobPosting::default()).await.id);
    let bob_posting = posting_parent(&new_posting(&app, &bob, pb::JobPosting::default()).await.id);
    let ada_contact = new_contact(&app, &ada, named("Grace")).await.unwrap();
    let bob_contact = new_contact(&app, &bob, named("Mallory")).await.unwrap();

    let cases = [
        (&ada, &bob_contact.id, &ada_posting), // their contact, my posting
        (&bob, &bob_contact.id, &ada_posting), // my contact, their posting
        (&bob, &ada_contact.id, &bob_posting), // their contact, my posting
    ];
    for (user, contact, target) in cases {
        let status = link(&app, user, contact, target, ContactRole::Other).await;
        assert_eq!(status.unwrap_err().code(), Code::NotFound);
    }
    let request = pb::GetContactRequest {
        id: ada_contact.id.clone(),
    };
    let status = call!(app, bob, get_contact, request).unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let request = pb::UpdateContactRequest {
        contact: Some(pb::Contact {
            id: ada_contact.id.clone(),
            name: "Pwned".into(),
            ..Default::default()
        }),
        update_mask: mask(&["name"]),
    };
    let status = call!(app, bob, update_contact, request).unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let request = pb::DeleteContactRequest {
        id: ada_contact.id.clone(),
    };
    let status = call!(app, bob, delete_contact, request).unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let status = contacts_of(&app, &bob, &ada_posting).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let all = call!(app, bob, list_contacts, pb::ListContactsRequest::default()).unwrap();
    assert_eq!(all.contacts, [bob_contact]);
    // Ada's contact is untouched and unlinked.
    assert!(
        contacts_of(&app, &ada, &ada_posting)
            .await
            .unwrap()
            .contacts
            .is_empty()
    );
    let request = pb::GetContactRequest { id: ada_contact.id };
    assert_eq!(call!(app, ada, get_contact, request).unwrap().name, "Grace");
}

#[tokio::test]
async fn a_contact_holds_at_most_50_links() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let parent = posting_parent(&posting.id);
    let grace = new_contact(&app, &ada, named("Grace")).await.unwrap();
    let roles = [
        ContactRole::Recruiter,
        ContactRole::Interviewer,
        ContactRole::Referrer,
        ContactRole::HiringManager,
        ContactRole::Other,
    ];
    let mut made = 0;
    for i in 0..10 {
        let interview = schedule(&app, &ada, &parent, at(now() + i)).await.unwrap();
        let target = format!("interviews/{}", interview.id);
        for role in roles {
            link(&app, &ada, &grace.id, &target, role).await.unwrap();
            made += 1;
        }
    }
    assert_eq!(made, 50);
    let status = link(&app, &ada, &grace.id, &parent, ContactRole::Other)
        .await
        .unwrap_err();
    assert_eq!(violated_fields(&status), ["link.contact_id"]);
    assert!(
        contacts_of(&app, &ada, &parent)
            .await
            .unwrap()
            .contacts
            .is_empty()
    );
}
