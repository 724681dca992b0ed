//! Job postings: create, get, list (paging, filters, no passwords), masked
//! update (including moving to another site), delete, validation, per-user
//! visibility and passwords sealed at rest.

use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1::{self as pb, EmploymentType, LocationType, PostingStatus};
use tonic::{Code, Status};
use tonic_types::StatusExt as _;

use crate::{
    helpers::{TestApp, TestUser, authed, expect_code, now, spawn_app, ts},
    sites,
};

const DAY: i64 = 86_400;

fn posting(site_id: &str, title: &str) -> pb::JobPosting {
    pb::JobPosting {
        job_site_id: site_id.into(),
        company_name: "Acme".into(),
        posting_title: title.into(),
        ..Default::default()
    }
}

fn full_posting(site_id: &str) -> pb::JobPosting {
    pb::JobPosting {
        posting_status: PostingStatus::ActivelyEngaged as i32,
        posting_url_full: "https://careers.acme.example/jobs/42?ref=board".into(),
        posting_password: "correct horse".into(),
        pay_range: "€70k-€90k".into(),
        location_type: LocationType::Hybrid as i32,
        location_city: "Berlin".into(),
        employment_type: EmploymentType::FullTime as i32,
        applied_at: Some(ts(1_767_225_600)),
        interviewed_at: Some(ts(1_767_830_400)),
        rejected_after_stage: "onsite".into(),
        job_scan_info: "85% match\nmissing: Kafka".into(),
        outreach_info: "Wrote to the hiring manager.".into(),
        time_spent: Some(90),
        technology_string: "Rust, PostgreSQL, gRPC".into(),
        technology_stack: vec!["Rust".into(), "PostgreSQL".into(), "gRPC".into()],
        comments: vec![pb::Comment {
            text: "Recruiter called.\nSecond round next week.".into(),
            create_time: Some(ts(1_767_312_000)),
        }],
        posting_application_questions: vec![pb::ApplicationQuestion {
            question: "Why Acme?".into(),
            answer: "The product.".into(),
        }],
        job_description: "We build things.\n\n- Rust\n- Postgres".into(),
        ..posting(site_id, "Senior Engineer")
    }
}

async fn create(
    app: &TestApp,
    user: &TestUser,
    posting: pb::JobPosting,
) -> Result<pb::JobPosting, Status> {
    let request = pb::CreateJobPostingRequest {
        job_posting: Some(posting),
    };
    let reply = app
        .jobs
        .clone()
        .create_job_posting(authed(request, &user.access_token))
        .await?;
    Ok(reply.into_inner())
}

async fn get(app: &TestApp, user: &TestUser, id: &str) -> Result<pb::JobPosting, Status> {
    let request = pb::GetJobPostingRequest { id: id.into() };
    let reply = app
        .jobs
        .clone()
        .get_job_posting(authed(request, &user.access_token))
        .await?;
    Ok(reply.into_inner())
}

async fn list(
    app: &TestApp,
    user: &TestUser,
    request: pb::ListJobPostingsRequest,
) -> Result<pb::ListJobPostingsResponse, Status> {
    let reply = app
        .jobs
        .clone()
        .list_job_postings(authed(request, &user.access_token))
        .await?;
    Ok(reply.into_inner())
}

/// The titles a filtered list returns, in order (one default-size page).
async fn titles(
    app: &TestApp,
    user: &TestUser,
    request: pb::ListJobPostingsRequest,
) -> Vec<String> {
    let page = list(app, user, request).await.unwrap();
    assert!(page.next_page_token.is_empty());
    page.job_postings
        .into_iter()
        .map(|p| p.posting_title)
        .collect()
}

async fn update(
    app: &TestApp,
    user: &TestUser,
    posting: pb::JobPosting,
    paths: &[&str],
) -> Result<pb::JobPosting, Status> {
    let request = pb::UpdateJobPostingRequest {
        job_posting: Some(posting),
        update_mask: Some(FieldMask {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        }),
    };
    let reply = app
        .jobs
        .clone()
        .update_job_posting(authed(request, &user.access_token))
        .await?;
    Ok(reply.into_inner())
}

async fn delete(app: &TestApp, user: &TestUser, id: &str) -> Result<(), Status> {
    let request = pb::DeleteJobPostingRequest { id: id.into() };
    app.jobs
        .clone()
        .delete_job_posting(authed(request, &user.access_token))
        .await?;
    Ok(())
}

async fn new_site(app: &TestApp, user: &TestUser, name: &str) -> String {
    let site = pb::JobSite {
        site_name: name.into(),
        ..Default::default()
    };
    sites::create(app, user, site).await.unwrap().id
}

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
async fn create_then_get_returns_every_field_including_the_password() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let site_id = new_site(&app, &alice, "Board").await;
    let created = create(&app, &alice, full_posting(&site_id)).await.unwrap();

    assert!(uuid::Uuid::parse_str(&created.id).is_ok());
    assert!(created.create_time.is_some());
    assert_eq!(created.update_time, created.create_time);
    let expected = pb::JobPosting {
        id: created.id.clone(),
        posting_url_domain: "careers.acme.example".into(),
        create_time: created.create_time,
        update_time: created.update_time,
        // Derived from the history: 5 days after the interview.
        follow_up_at: Some(ts(1_767_830_400 + 5 * DAY)),
        ..full_posting(&site_id)
    };
    assert_eq!(created, expected);
    assert_eq!(get(&app, &alice, &created.id).await.unwrap(), expected);
}

#[tokio::test]
async fn create_defaults_the_status_and_comment_times() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let site_id = new_site(&app, &alice, "Board").await;
    let before = now();
    let raw = pb::JobPosting {
        posting_url_domain: "ignored.example".into(),
        comments: vec![pb::Comment {
            text: "saved it".into(),
            create_time: None,
        }],
        ..posting(&site_id, "Engineer")
    };
    let created = create(&app, &alice, raw).await.unwrap();
    assert_eq!(created.posting_status(), PostingStatus::Open);
    assert_eq!(created.location_type(), LocationType::Unspecified);
    assert_eq!(created.posting_url_domain, "");
    assert_eq!(created.time_spent, None);
    let noted = created.comments[0].create_time.unwrap().seconds;
    assert!(noted >= before && noted <= now());
}

#[tokio::test]
async fn a_posting_cannot_be_created_on_another_users_site() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let bobs_site = new_site(&app, &bob, "Bob's").await;
    let missing = uuid::Uuid::now_v7().to_string();

    for site_id in [&bobs_site, &missing] {
        let status = expect_code(
            create(&app, &alice, posting(site_id, "Engineer")).await,
            Code::NotFound,
        );
        assert_eq!(status.message(), "job site not found");
    }
    let all = pb::ListJobPostingsRequest::default();
    assert!(titles(&app, &alice, all.clone()).await.is_empty());
    assert!(titles(&app, &bob, all).await.is_empty());
}

#[tokio::test]
async fn list_postings_filters_by_site_status_active_and_applied_range() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let board = new_site(&app, &alice, "Board").await;
    let careers = new_site(&app, &alice, "Careers").await;
    let t0 = 1_767_225_600;
    let rows = [
        ("a", &board, PostingStatus::Open, None),
        ("b", &board, PostingStatus::ActivelyEngaged, Some(t0)),
        (
            "c",
            &careers,
            PostingStatus::AwaitingFeedback,
            Some(t0 + DAY),
        ),
        ("d", &careers, PostingStatus::Rejected, Some(t0 + 2 * DAY)),
        (
            "e",
            &board,
            PostingStatus::AwaitingFeedback,
            Some(t0 + 3 * DAY),
        ),
    ];
    for (title, site, status, applied) in rows {
        let raw = pb::JobPosting {
            posting_status: status as i32,
            applied_at: applied.map(ts),
            posting_password: "never listed".into(),
            ..posting(site, title)
        };
        create(&app, &alice, raw).await.unwrap();
    }
    let bobs_site = new_site(&app, &bob, "Bob's").await;
    create(&app, &bob, posting(&bobs_site, "bob's"))
        .await
        .unwrap();

    let all = list(&app, &alice, pb::ListJobPostingsRequest::default())
        .await
        .unwrap();
    assert_eq!(all.job_postings.len(), 5);
    assert!(
        all.job_postings
            .iter()
            .all(|p| p.posting_password.is_empty())
    );

    let on = |site: &str| pb::ListJobPostingsRequest {
        job_site_id: site.into(),
        ..Default::default()
    };
    assert_eq!(titles(&app, &alice, on(&board)).await, ["a", "b", "e"]);
    assert_eq!(titles(&app, &alice, on(&careers)).await, ["c", "d"]);
    // Another user's site, or no site at all, simply matches nothing.
    assert!(titles(&app, &alice, on(&bobs_site)).await.is_empty());
    let nowhere = uuid::Uuid::now_v7().to_string();
    assert!(titles(&app, &alice, on(&nowhere)).await.is_empty());

    let statuses = |list: &[PostingStatus]| pb::ListJobPostingsRequest {
        statuses: list.iter().map(|s| *s as i32).collect(),
        ..Default::default()
    };
    let some = [PostingStatus::Open, PostingStatus::Rejected];
    assert_eq!(titles(&app, &alice, statuses(&some)).await, ["a", "d"]);
    let active = pb::ListJobPostingsRequest {
        active_only: true,
        ..Default::default()
    };
    assert_eq!(titles(&app, &alice, active.clone()).await, ["b", "c", "e"]);

    // Applied range: after is inclusive, before exclusive.
    let range = pb::ListJobPostingsRequest {
        applied_after: Some(ts(t0 + DAY)),
        applied_before: Some(ts(t0 + 3 * DAY)),
        ..Default::default()
    };
    assert_eq!(titles(&app, &alice, range.clone()).await, ["c", "d"]);

    // Everything combines with AND.
    let combined = pb::ListJobPostingsRequest {
        job_site_id: board.clone(),
        applied_after: Some(ts(t0)),
        ..active
    };
    assert_eq!(titles(&app, &alice, combined).await, ["b", "e"]);
    let none = pb::ListJobPostingsRequest {
        statuses: vec![PostingStatus::Rejected as i32],
        active_only: true,
        ..range
    };
    assert!(titles(&app, &alice, none).await.is_empty());

    let bad = pb::ListJobPostingsRequest {
        job_site_id: "not-an-id".into(),
        statuses: vec![0, 99],
        applied_after: Some(ts(-1)),
        ..Default::default()
    };
    let status = expect_code(list(&app, &alice, bad).await, Code::InvalidArgument);
    assert_eq!(
        violated_fields(&status),
        ["job_site_id", "statuses[0]", "statuses[1]", "applied_after"]
    );
}

#[tokio::test]
async fn lists_page_in_creation_order_without_passwords() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let site_id = new_site(&app, &alice, "Board").await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(
            create(&app, &alice, full_posting(&site_id))
                .await
                .unwrap()
                .id,
        );
    }
    let mut seen = Vec::new();
    let mut page_token = String::new();
    loop {
        let request = pb::ListJobPostingsRequest {
            page_size: 2,
            page_token: page_token.clone(),
            job_site_id: site_id.clone(),
            ..Default::default()
        };
        let page = list(&app, &alice, request).await.unwrap();
        for p in &page.job_postings {
            assert!(p.posting_password.is_empty(), "a list leaked a password");
            assert_eq!(p.technology_stack.len(), 3);
        }
        seen.extend(page.job_postings.into_iter().map(|p| p.id));
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn update_changes_only_the_masked_fields() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let site_id = new_site(&app, &alice, "Board").await;
    let other_site = new_site(&app, &alice, "Careers").await;
    let created = create(&app, &alice, full_posting(&site_id)).await.unwrap();
    let patch = pb::JobPosting {
        id: created.id.clone(),
        job_site_id: other_site.clone(),
        posting_status: PostingStatus::Offer as i32,
        posting_url_full: "http://other.example/p".into(),
        posting_password: String::new(),
        time_spent: None,
        technology_stack: vec!["Go".into()],
        company_name: "ignored: not in the mask".into(),
        ..Default::default()
    };
    let paths = [
        "job_site_id",
        "posting_status",
        "posting_url_full",
        "posting_password",
        "time_spent",
        "technology_stack",
    ];
    let updated = update(&app, &alice, patch, &paths).await.unwrap();
    let expected = pb::JobPosting {
        job_site_id: other_site,
        posting_status: PostingStatus::Offer as i32,
        posting_url_full: "http://other.example/p".into(),
        posting_url_domain: "other.example".into(),
        posting_password: String::new(),
        time_spent: None,
        technology_stack: vec!["Go".into()],
        update_time: updated.update_time,
        // The offer is progress: nothing left to chase.
        follow_up_at: None,
        ..created.clone()
    };
    assert_eq!(updated, expected);
    assert_eq!(get(&app, &alice, &created.id).await.unwrap(), expected);
}

#[tokio::test]
async fn moving_a_posting_to_another_users_site_writes_nothing() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let site_id = new_site(&app, &alice, "Board").await;
    let bobs_site = new_site(&app, &bob, "Bob's").await;
    let created = create(&app, &alice, full_posting(&site_id)).await.unwrap();
    let patch = pb::JobPosting {
        id: created.id.clone(),
        job_site_id: bobs_site,
        company_name: "Changed".into(),
        ..Default::default()
    };
    let result = update(&app, &alice, patch, &["company_name", "job_site_id"]).await;
    let status = expect_code(result, Code::NotFound);
    assert_eq!(status.message(), "job site not found");
    assert_eq!(get(&app, &alice, &created.id).await.unwrap(), created);
}

#[tokio::test]
async fn invalid_fields_are_all_named() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let site_id = new_site(&app, &alice, "Board").await;
    let bad = pb::JobPosting {
        company_name: String::new(),
        posting_status: 42,
        posting_url_full: "ftp://example.com/x".into(),
        location_type: 7,
        time_spent: Some(-5),
        technology_stack: vec![String::new()],
        comments: vec![pb::Comment::default()],
        posting_application_questions: vec![pb::ApplicationQuestion {
            question: "q".into(),
            answer: "a".repeat(5001),
        }],
        job_description: "d".repeat(50_001),
        ..posting(&site_id, "Engineer")
    };
    let status = expect_code(create(&app, &alice, bad).await, Code::InvalidArgument);
    assert_eq!(
        violated_fields(&status),
        [
            "job_posting.company_name",
            "job_posting.posting_status",
            "job_posting.posting_url_full",
            "job_posting.location_type",
            "job_posting.time_spent",
            "job_posting.technology_stack[0]",
            "job_posting.comments[0].text",
            "job_posting.posting_application_questions[0].answer",
            "job_posting.job_description",
        ]
    );

    let created = create(&app, &alice, posting(&site_id, "Engineer"))
        .await
        .unwrap();
    let patch = pb::JobPosting {
        id: created.id.clone(),
        ..Default::default()
    };
    let paths = [
        "posting_status",
        "posting_url_domain",
        "create_time",
        "nope",
    ];
    let status = expect_code(
        update(&app, &alice, patch, &paths).await,
        Code::InvalidArgument,
    );
    let expected: Vec<String> = paths.iter().map(|p| format!("job_posting.{p}")).collect();
    assert_eq!(violated_fields(&status), expected);
}

#[tokio::test]
async fn another_users_posting_answers_exactly_like_a_missing_one() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let site_id = new_site(&app, &alice, "Board").await;
    let mine = create(&app, &alice, full_posting(&site_id)).await.unwrap();
    let missing = uuid::Uuid::now_v7().to_string();

    for id in [&mine.id, &missing] {
        let status = expect_code(get(&app, &bob, id).await, Code::NotFound);
        assert_eq!(status.message(), "job posting not found");
        let patch = pb::JobPosting {
            id: id.clone(),
            posting_title: "Mine now".into(),
            ..Default::default()
        };
        let status = expect_code(
            update(&app, &bob, patch, &["posting_title"]).await,
            Code::NotFound,
        );
        assert_eq!(status.message(), "job posting not found");
        let status = expect_code(delete(&app, &bob, id).await, Code::NotFound);
        assert_eq!(status.message(), "job posting not found");
    }
    assert_eq!(get(&app, &alice, &mine.id).await.unwrap(), mine);

    for id in ["", "x"] {
        let status = expect_code(get(&app, &alice, id).await, Code::InvalidArgument);
        assert_eq!(violated_fields(&status), ["id"]);
    }
}

#[tokio::test]
async fn delete_removes_the_posting_once() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let site_id = new_site(&app, &alice, "Board").await;
    let created = create(&app, &alice, posting(&site_id, "Engineer"))
        .await
        .unwrap();
    delete(&app, &alice, &created.id).await.unwrap();
    expect_code(get(&app, &alice, &created.id).await, Code::NotFound);
    expect_code(delete(&app, &alice, &created.id).await, Code::NotFound);
}

#[tokio::test]
async fn stored_passwords_are_not_plaintext() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let site_id = new_site(&app, &alice, "Board").await;
    let created = create(&app, &alice, full_posting(&site_id)).await.unwrap();
    let stored: String = sqlx::query_scalar(
        "SELECT posting_password_ciphertext FROM job_postings WHERE user_id = $1 AND id = $2",
    )
    .bind(&alice.id)
    .bind(&created.id)
    .fetch_one(&app.jobs_state.db)
    .await
    .unwrap();
    assert!(
        stored.starts_with("v1."),
        "unexpected stored form: {stored}"
    );
    assert!(!stored.contains("correct horse"));
    assert_eq!(created.posting_password, "correct horse");
}
