//! Recruiter opportunities: create, get, list (paging, active only), masked
//! update, delete, validation, and per-user visibility.

use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1::{
    self as pb, EmploymentType, LocationType, OpportunityStatus,
};
use tonic::{Code, Status};
use tonic_types::StatusExt as _;

use crate::helpers::{TestApp, TestUser, authed, expect_code, spawn_app, ts};

fn opportunity(title: &str, status: OpportunityStatus) -> pb::Opportunity {
    pb::Opportunity {
        job_title: title.into(),
        opportunity_status: status as i32,
        ..Default::default()
    }
}

async fn create(
    app: &TestApp,
    u: &TestUser,
    opp: pb::Opportunity,
) -> Result<pb::Opportunity, Status> {
    let request = pb::CreateOpportunityRequest {
        opportunity: Some(opp),
    };
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .create_opportunity(authed(request, &u.access_token))
        .await?
        .into_inner())
}

async fn get(app: &TestApp, u: &TestUser, id: &str) -> Result<pb::Opportunity, Status> {
    let request = pb::GetOpportunityRequest { id: id.into() };
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .get_opportunity(authed(request, &u.access_token))
        .await?
        .into_inner())
}

async fn list(
    app: &TestApp,
    u: &TestUser,
    request: pb::ListOpportunitiesRequest,
) -> Result<pb::ListOpportunitiesResponse, Status> {
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .list_opportunities(authed(request, &u.access_token))
        .await?
        .into_inner())
}

async fn update(
    app: &TestApp,
    u: &TestUser,
    opp: pb::Opportunity,
    paths: &[&str],
) -> Result<pb::Opportunity, Status> {
    let paths = paths.iter().map(|p| (*p).to_owned()).collect();
    let request = pb::UpdateOpportunityRequest {
        opportunity: Some(opp),
        update_mask: Some(FieldMask { paths }),
    };
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .update_opportunity(authed(request, &u.access_token))
        .await?
        .into_inner())
}

async fn delete(app: &TestApp, u: &TestUser, id: &str) -> Result<(), Status> {
    let request = pb::DeleteOpportunityRequest { id: id.into() };
    let mut jobs = app.jobs.clone();
    jobs.delete_opportunity(authed(request, &u.access_token))
        .await?;
    Ok(())
}

/// The fields named by an `INVALID_ARGUMENT`'s violations, in order.
pub(crate) fn violated_fields(status: &Status) -> Vec<String> {
    status
        .get_details_bad_request()
        .expect("field violations")
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect()
}

/// Every id of the user's opportunities, following page tokens.
async fn all_ids(app: &TestApp, user: &TestUser, page_size: i32, active_only: bool) -> Vec<String> {
    let mut ids = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = list(
            app,
            user,
            pb::ListOpportunitiesRequest {
                page_size,
                page_token,
                active_only,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let limit = if page_size == 0 { 50 } else { page_size };
        assert!(page.opportunities.len() <= usize::try_from(limit).unwrap());
        ids.extend(page.opportunities.into_iter().map(|o| o.id));
        if page.next_page_token.is_empty() {
            return ids;
        }
        page_token = page.next_page_token;
    }
}

#[tokio::test]
async fn an_opportunity_is_created_read_and_deleted() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let full = pb::Opportunity {
        id: "ignored".into(),
        job_title: "  Staff Rust Engineer ".into(),
        recruiter_name: "Rita".into(),
        recruiter_company: "Hunters Ltd".into(),
        email_received_at: Some(ts(1_767_225_600)),
        employment_type: EmploymentType::Contract as i32,
        job_duration: "6 months".into(),
        location_type: LocationType::Hybrid as i32,
        location_city: "Lisbon".into(),
        comments: vec![
            pb::Comment {
                text: "Sent CV".into(),
                create_time: Some(ts(1_767_300_000)),
            },
            pb::Comment {
                text: "Call on\nMonday".into(),
                create_time: None,
            },
        ],
        job_description: "Build things.\n\tWith Rust.".into(),
        create_time: Some(ts(1)),
        ..Default::default()
    };
    let created = create(&app, &alice, full).await.unwrap();
    uuid::Uuid::parse_str(&created.id).unwrap();
    assert_eq!(created.job_title, "Staff Rust Engineer");
    // UNSPECIFIED on create means NEW.
    assert_eq!(created.opportunity_status(), OpportunityStatus::New);
    assert_eq!(created.employment_type(), EmploymentType::Contract);
    assert_eq!(created.location_type(), LocationType::Hybrid);
    assert_eq!(created.email_received_at, Some(ts(1_767_225_600)));
    assert_eq!(created.comments[0].create_time, Some(ts(1_767_300_000)));
    // An unset comment time is the server's time.
    let stamped = created.comments[1].create_time.unwrap().seconds;
    let create_time = created.create_time.unwrap().seconds;
    assert!((create_time - stamped).abs() <= 2);
    assert!((create_time - crate::helpers::now()).abs() <= 5);
    assert_eq!(created.update_time, created.create_time);

    assert_eq!(get(&app, &alice, &created.id).await.unwrap(), created);
    delete(&app, &alice, &created.id).await.unwrap();
    expect_code(get(&app, &alice, &created.id).await, Code::NotFound);
    expect_code(delete(&app, &alice, &created.id).await, Code::NotFound);
}

#[tokio::test]
async fn lists_page_in_creation_order_and_can_keep_only_active_ones() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let statuses = [
        OpportunityStatus::New,
        OpportunityStatus::ActivelyEngaged,
        OpportunityStatus::Rejected,
        OpportunityStatus::AwaitingFeedback,
        OpportunityStatus::Offer,
        OpportunityStatus::ActivelyEngaged,
        OpportunityStatus::NoResponse,
    ];
    let mut created = Vec::new();
    for (i, status) in statuses.into_iter().enumerate() {
        let opp = create(&app, &alice, opportunity(&format!("Job {i}"), status))
            .await
            .unwrap();
        created.push(opp);
    }
    let ids: Vec<String> = created.iter().map(|o| o.id.clone()).collect();
    for page_size in [1, 2, 3, 7, 0] {
        assert_eq!(all_ids(&app, &alice, page_size, false).await, ids);
    }
    // Active means ACTIVELY_ENGAGED or AWAITING_FEEDBACK: entries 1, 3 and 5.
    let active = vec![ids[1].clone(), ids[3].clone(), ids[5].clone()];
    assert_eq!(all_ids(&app, &alice, 2, true).await, active);
    assert_eq!(all_ids(&app, &alice, 50, true).await, active);

    let first = list(
        &app,
        &alice,
        pb::ListOpportunitiesRequest {
            page_size: 2,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(first.opportunities, created[..2]);

    for (page_size, page_token, field) in [
        (101, "", "page_size"),
        (-1, "", "page_size"),
        (1, "garbage", "page_token"),
    ] {
        let bad = pb::ListOpportunitiesRequest {
            page_size,
            page_token: page_token.into(),
            active_only: false,
            ..Default::default()
        };
        let status = expect_code(list(&app, &alice, bad).await, Code::InvalidArgument);
        assert_eq!(violated_fields(&status), [field]);
    }
}

#[tokio::test]
async fn updates_change_only_the_masked_fields() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let original = create(
        &app,
        &alice,
        pb::Opportunity {
            recruiter_name: "Rita".into(),
            location_city: "Porto".into(),
            email_received_at: Some(ts(1_700_000_000)),
            ..opportunity("Engineer", OpportunityStatus::New)
        },
    )
    .await
    .unwrap();

    let patch = pb::Opportunity {
        id: original.id.clone(),
        job_title: "Senior Engineer".into(),
        opportunity_status: OpportunityStatus::AwaitingFeedback as i32,
        recruiter_name: "not masked, so not changed".into(),
        email_received_at: None,
        comments: vec![pb::Comment {
            text: "Replied".into(),
            create_time: Some(ts(1_700_000_100)),
        }],
        ..Default::default()
    };
    let paths = [
        "job_title",
        "opportunity_status",
        "email_received_at",
        "comments",
        "job_title",
    ];
    let updated = update(&app, &alice, patch, &paths).await.unwrap();
    let expected = pb::Opportunity {
        job_title: "Senior Engineer".into(),
        opportunity_status: OpportunityStatus::AwaitingFeedback as i32,
        // Naming an unset timestamp clears it.
        email_received_at: None,
        comments: vec![pb::Comment {
            text: "Replied".into(),
            create_time: Some(ts(1_700_000_100)),
        }],
        update_time: updated.update_time,
        // Awaiting feedback (logged as a stage now): followed up in 5 days.
        follow_up_at: Some(ts(updated.update_time.unwrap().seconds + 5 * 86_400)),
        ..original.clone()
    };
    assert_eq!(updated, expected);
    assert!(updated.update_time.unwrap().seconds >= original.update_time.unwrap().seconds);
    assert_eq!(get(&app, &alice, &original.id).await.unwrap(), updated);

    // Unknown and output-only paths, and invalid masked values, are all
    // reported together; nothing changes.
    let bad = pb::Opportunity {
        id: original.id.clone(),
        job_title: String::new(),
        location_type: 42,
        ..Default::default()
    };
    let paths = ["job_title", "id", "update_time", "salary", "location_type"];
    let status = expect_code(
        update(&app, &alice, bad, &paths).await,
        Code::InvalidArgument,
    );
    assert_eq!(
        violated_fields(&status),
        [
            "opportunity.job_title",
            "opportunity.id",
            "opportunity.update_time",
            "opportunity.salary",
            "opportunity.location_type",
        ]
    );
    let no_mask = pb::UpdateOpportunityRequest {
        opportunity: Some(updated.clone()),
        update_mask: None,
    };
    let status = expect_code(
        app.jobs
            .clone()
            .update_opportunity(authed(no_mask, &alice.access_token))
            .await,
        Code::InvalidArgument,
    );
    assert_eq!(violated_fields(&status), ["update_mask"]);
    assert_eq!(get(&app, &alice, &original.id).await.unwrap(), updated);

    let missing = pb::Opportunity {
        id: uuid::Uuid::now_v7().to_string(),
        ..opportunity("Ghost", OpportunityStatus::New)
    };
    expect_code(
        update(&app, &alice, missing, &["job_title"]).await,
        Code::NotFound,
    );
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bad = pb::Opportunity {
        job_title: " ".into(),
        opportunity_status: 99,
        recruiter_name: "n".repeat(129),
        recruiter_company: "c".repeat(129),
        email_received_at: Some(ts(-1)),
        employment_type: 7,
        job_duration: "d".repeat(101),
        location_type: -1,
        location_city: "c".repeat(101),
        comments: vec![
            pb::Comment {
                text: "fine".into(),
                create_time: None,
            },
            pb::Comment {
                text: "x".repeat(2001),
                create_time: Some(ts(8_000_000_000)),
            },
        ],
        job_description: "d".repeat(50_001),
        ..Default::default()
    };
    let status = expect_code(create(&app, &alice, bad).await, Code::InvalidArgument);
    assert_eq!(
        violated_fields(&status),
        [
            "opportunity.job_title",
            "opportunity.opportunity_status",
            "opportunity.recruiter_name",
            "opportunity.recruiter_company",
            "opportunity.email_received_at",
            "opportunity.employment_type",
            "opportunity.job_duration",
            "opportunity.location_type",
            "opportunity.location_city",
            "opportunity.comments[1].text",
            "opportunity.comments[1].create_time",
            "opportunity.job_description",
        ]
    );
    let too_many = pb::Opportunity {
        comments: vec![
            pb::Comment {
                text: "note".into(),
                create_time: None,
            };
            201
        ],
        ..opportunity("Engineer", OpportunityStatus::New)
    };
    let status = expect_code(create(&app, &alice, too_many).await, Code::InvalidArgument);
    assert_eq!(violated_fields(&status), ["opportunity.comments"]);
    // Nothing was stored.
    assert!(all_ids(&app, &alice, 10, false).await.is_empty());
}

#[tokio::test]
async fn malformed_ids_are_invalid_arguments() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let status = expect_code(get(&app, &alice, "42").await, Code::InvalidArgument);
    assert_eq!(violated_fields(&status), ["id"]);
    let status = expect_code(
        delete(&app, &alice, "' OR 1=1 --").await,
        Code::InvalidArgument,
    );
    assert_eq!(violated_fields(&status), ["id"]);
    let bad = pb::Opportunity {
        id: "nope".into(),
        ..opportunity("Engineer", OpportunityStatus::New)
    };
    let status = expect_code(
        update(&app, &alice, bad, &["job_title"]).await,
        Code::InvalidArgument,
    );
    assert_eq!(violated_fields(&status), ["opportunity.id"]);
}

#[tokio::test]
async fn another_users_opportunity_answers_like_a_missing_one() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let mine = create(
        &app,
        &alice,
        opportunity("Alice's", OpportunityStatus::ActivelyEngaged),
    )
    .await
    .unwrap();
    let missing = uuid::Uuid::now_v7().to_string();

    for id in [&mine.id, &missing] {
        let status = expect_code(get(&app, &bob, id).await, Code::NotFound);
        assert_eq!(status.message(), "opportunity not found");
        expect_code(delete(&app, &bob, id).await, Code::NotFound);
        let takeover = pb::Opportunity {
            id: id.clone(),
            ..opportunity("Bob's now", OpportunityStatus::New)
        };
        expect_code(
            update(&app, &bob, takeover, &["job_title"]).await,
            Code::NotFound,
        );
    }
    assert!(all_ids(&app, &bob, 10, false).await.is_empty());
    assert!(all_ids(&app, &bob, 10, true).await.is_empty());
    // Alice's opportunity is untouched.
    assert_eq!(get(&app, &alice, &mine.id).await.unwrap(), mine);
}
