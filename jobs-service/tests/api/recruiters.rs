//! An opportunity's recruiter as a contact: it fills the opportunity's empty
//! recruiter fields on reads, must be the caller's own, and is cleared when
//! the contact is deleted.

use shared::proto::jobsearch::jobs::v1 as pb;
use tonic::{Code, Status};
use tonic_types::StatusExt as _;

use crate::{
    helpers::spawn_app,
    interview_helpers::{call, mask, named, new_contact, new_opportunity},
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
async fn an_opportunitys_recruiter_contact_fills_its_empty_recruiter_fields() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let recruiter = pb::Contact {
        company: "Hooli Talent".into(),
        ..named("Rita Recruiter")
    };
    let rita = new_contact(&app, &ada, recruiter).await.unwrap();
    let with_contact = pb::Opportunity {
        recruiter_contact_id: rita.id.clone(),
        ..Default::default()
    };
    let filled = new_opportunity(&app, &ada, with_contact.clone())
        .await
        .unwrap();
    assert_eq!(filled.recruiter_contact_id, rita.id);
    assert_eq!(
        (
            filled.recruiter_name.as_str(),
            filled.recruiter_company.as_str()
        ),
        ("Rita Recruiter", "Hooli Talent")
    );
    // A stored name wins; only the empty field is filled.
    let named_one = pb::Opportunity {
        recruiter_name: "R. R.".into(),
        ..with_contact
    };
    let kept = new_opportunity(&app, &ada, named_one).await.unwrap();
    assert_eq!(
        (
            kept.recruiter_name.as_str(),
            kept.recruiter_company.as_str()
        ),
        ("R. R.", "Hooli Talent")
    );

    // Someone else's contact is as missing as no contact; a bad id is
    // refused on the field.
    let bobs = pb::Opportunity {
        recruiter_contact_id: rita.id.clone(),
        ..Default::default()
    };
    let status = new_opportunity(&app, &bob, bobs).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let bad = pb::Opportunity {
        recruiter_contact_id: "rita".into(),
        ..Default::default()
    };
    let status = new_opportunity(&app, &ada, bad).await.unwrap_err();
    assert_eq!(
        violated_fields(&status),
        ["opportunity.recruiter_contact_id"]
    );

    // Deleting the contact clears the reference and the fill.
    let request = pb::DeleteContactRequest { id: rita.id };
    call!(app, ada, delete_contact, request).unwrap();
    let request = pb::GetOpportunityRequest {
        id: filled.id.clone(),
    };
    let after = call!(app, ada, get_opportunity, request).unwrap();
    assert!(after.recruiter_contact_id.is_empty());
    assert_eq!(
        (
            after.recruiter_name.as_str(),
            after.recruiter_company.as_str()
        ),
        ("", "")
    );

    // Set through an update, then cleared through one.
    let alan = new_contact(&app, &ada, named("Alan")).await.unwrap();
    let update = |id: &str| pb::UpdateOpportunityRequest {
        opportunity: Some(pb::Opportunity {
            id: filled.id.clone(),
            recruiter_contact_id: id.into(),
            ..Default::default()
        }),
        update_mask: mask(&["recruiter_contact_id"]),
    };
    let set = call!(app, ada, update_opportunity, update(&alan.id)).unwrap();
    assert_eq!(
        (
            set.recruiter_contact_id.as_str(),
            set.recruiter_name.as_str()
        ),
        (alan.id.as_str(), "Alan")
    );
    let cleared = call!(app, ada, update_opportunity, update("")).unwrap();
    assert_eq!(
        (
            cleared.recruiter_contact_id.as_str(),
            cleared.recruiter_name.as_str()
        ),
        ("", "")
    );
}
