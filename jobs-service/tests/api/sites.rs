//! Job sites: create, get, list (paging, no passwords), masked update,
//! delete with the site's postings, validation, per-user visibility and
//! passwords sealed at rest.

use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1 as pb;
use tonic::{Code, Status};
use tonic_types::StatusExt as _;

use crate::helpers::{TestApp, TestUser, authed, expect_code, spawn_app, ts};

fn site(name: &str) -> pb::JobSite {
    pb::JobSite {
        site_name: name.into(),
        ..Default::default()
    }
}

fn full_site() -> pb::JobSite {
    pb::JobSite {
        site_name: "Hacker Jobs".into(),
        site_url: "https://jobs.example.com/board".into(),
        site_password: "  hunter2 with spaces ".into(),
        rating: 4,
        resume_format: "PDF".into(),
        github_field: true,
        project_site_field: true,
        last_visited_at: Some(ts(1_767_225_600)),
        resume_updated_at: Some(ts(1_767_312_000)),
        headline: "Rust engineer".into(),
        description: "Good board.\nPosts remote jobs.".into(),
        ..Default::default()
    }
}

/// Creates a site for `user` (the postings tests use it too).
pub async fn create(
    app: &TestApp,
    user: &TestUser,
    site: pb::JobSite,
) -> Result<pb::JobSite, Status> {
    let request = pb::CreateJobSiteRequest {
        job_site: Some(site),
    };
    let reply = app
        .jobs
        .clone()
        .create_job_site(authed(request, &user.access_token))
        .await?;
    Ok(reply.into_inner())
}

async fn get(app: &TestApp, user: &TestUser, id: &str) -> Result<pb::JobSite, Status> {
    let request = pb::GetJobSiteRequest { id: id.into() };
    let reply = app
        .jobs
        .clone()
        .get_job_site(authed(request, &user.access_token))
        .await?;
    Ok(reply.into_inner())
}

async fn list(
    app: &TestApp,
    user: &TestUser,
    page_size: i32,
    page_token: &str,
) -> Result<pb::ListJobSitesResponse, Status> {
    let request = pb::ListJobSitesRequest {
        page_size,
        page_token: page_token.into(),
    };
    let reply = app
        .jobs
        .clone()
        .list_job_sites(authed(request, &user.access_token))
        .await?;
    Ok(reply.into_inner())
}

async fn update(
    app: &TestApp,
    user: &TestUser,
    site: pb::JobSite,
    paths: &[&str],
) -> Result<pb::JobSite, Status> {
    let request = pb::UpdateJobSiteRequest {
        job_site: Some(site),
        update_mask: Some(FieldMask {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        }),
    };
    let reply = app
        .jobs
        .clone()
        .update_job_site(authed(request, &user.access_token))
        .await?;
    Ok(reply.into_inner())
}

async fn delete(app: &TestApp, user: &TestUser, id: &str) -> Result<u32, Status> {
    let request = pb::DeleteJobSiteRequest { id: id.into() };
    let reply = app
        .jobs
        .clone()
        .delete_job_site(authed(request, &user.access_token))
        .await?;
    Ok(reply.into_inner().deleted_postings)
}

async fn create_posting(app: &TestApp, user: &TestUser, site_id: &str) -> pb::JobPosting {
    let posting = pb::JobPosting {
        job_site_id: site_id.into(),
        company_name: "Acme".into(),
        posting_title: "Engineer".into(),
        ..Default::default()
    };
    let request = pb::CreateJobPostingRequest {
        job_posting: Some(posting),
    };
    app.jobs
        .clone()
        .create_job_posting(authed(request, &user.access_token))
        .await
        .unwrap()
        .into_inner()
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
    let before = crate::helpers::now();
    let created = create(&app, &alice, full_site()).await.unwrap();

    assert!(uuid::Uuid::parse_str(&created.id).is_ok());
    let created_at = created.create_time.unwrap().seconds;
    assert!(created_at >= before && created_at <= crate::helpers::now());
    assert_eq!(created.update_time, created.create_time);
    let expected = pb::JobSite {
        id: created.id.clone(),
        create_time: created.create_time,
        update_time: created.update_time,
        ..full_site()
    };
    assert_eq!(created, expected);
    assert_eq!(get(&app, &alice, &created.id).await.unwrap(), expected);
}

#[tokio::test]
async fn rating_defaults_to_one_and_output_only_fields_are_ignored_on_create() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let chosen_id = uuid::Uuid::now_v7().to_string();
    let created = create(
        &app,
        &alice,
        pb::JobSite {
            id: chosen_id.clone(),
            create_time: Some(ts(1)),
            ..site("Board")
        },
    )
    .await
    .unwrap();
    assert_eq!(created.rating, 1);
    assert_ne!(created.id, chosen_id);
    assert_ne!(created.create_time, Some(ts(1)));
    assert!(created.site_password.is_empty());
    assert!(created.last_visited_at.is_none());
}

#[tokio::test]
async fn lists_page_in_creation_order_without_passwords() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut s = full_site();
        s.site_name = format!("Board {i}");
        ids.push(create(&app, &alice, s).await.unwrap().id);
    }
    create(&app, &bob, site("Bob's board")).await.unwrap();

    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = list(&app, &alice, 2, &token).await.unwrap();
        pages += 1;
        assert!(page.job_sites.len() <= 2);
        for s in &page.job_sites {
            assert!(s.site_password.is_empty(), "a list leaked a password");
            assert_eq!(s.headline, "Rust engineer");
        }
        seen.extend(page.job_sites.into_iter().map(|s| s.id));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen, ids);
    assert_eq!(pages, 3);
    // The default page holds them all.
    let all = list(&app, &alice, 0, "").await.unwrap();
    assert_eq!(all.job_sites.len(), 5);
    assert!(all.next_page_token.is_empty());
    let bad = expect_code(list(&app, &alice, 101, "nope").await, Code::InvalidArgument);
    assert_eq!(violated_fields(&bad), ["page_size"]);
}

#[tokio::test]
async fn update_changes_only_the_masked_fields() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let created = create(&app, &alice, full_site()).await.unwrap();
    let patch = pb::JobSite {
        id: created.id.clone(),
        rating: 2,
        site_password: "new-password".into(),
        last_visited_at: None,
        site_name: "ignored: not in the mask".into(),
        ..Default::default()
    };
    let paths = ["rating", "site_password", "last_visited_at"];
    let updated = update(&app, &alice, patch, &paths).await.unwrap();

    let expected = pb::JobSite {
        rating: 2,
        site_password: "new-password".into(),
        last_visited_at: None,
        update_time: updated.update_time,
        ..created.clone()
    };
    assert_eq!(updated, expected);
    assert!(updated.update_time.unwrap().seconds >= created.update_time.unwrap().seconds);
    assert_eq!(get(&app, &alice, &created.id).await.unwrap(), expected);
}

#[tokio::test]
async fn an_invalid_update_writes_nothing_and_names_every_bad_path() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let created = create(&app, &alice, full_site()).await.unwrap();
    let patch = pb::JobSite {
        id: created.id.clone(),
        rating: 0,
        headline: "would be valid".into(),
        ..Default::default()
    };
    let paths = [
        "headline",
        "rating",
        "id",
        "create_time",
        "update_time",
        "no_such_field",
    ];
    let status = expect_code(
        update(&app, &alice, patch, &paths).await,
        Code::InvalidArgument,
    );
    assert_eq!(
        violated_fields(&status),
        [
            "job_site.rating",
            "job_site.id",
            "job_site.create_time",
            "job_site.update_time",
            "job_site.no_such_field",
        ]
    );
    assert_eq!(get(&app, &alice, &created.id).await.unwrap(), created);

    let no_mask = pb::UpdateJobSiteRequest {
        job_site: Some(created.clone()),
        update_mask: None,
    };
    let status = expect_code(
        app.jobs
            .clone()
            .update_job_site(authed(no_mask, &alice.access_token))
            .await,
        Code::InvalidArgument,
    );
    assert_eq!(violated_fields(&status), ["update_mask"]);
}

#[tokio::test]
async fn deleting_a_site_deletes_its_postings() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let doomed = create(&app, &alice, site("Doomed")).await.unwrap();
    let kept = create(&app, &alice, site("Kept")).await.unwrap();
    let gone = [
        create_posting(&app, &alice, &doomed.id).await,
        create_posting(&app, &alice, &doomed.id).await,
    ];
    let survivor = create_posting(&app, &alice, &kept.id).await;

    assert_eq!(delete(&app, &alice, &doomed.id).await.unwrap(), 2);
    expect_code(get(&app, &alice, &doomed.id).await, Code::NotFound);
    let mut jobs = app.jobs.clone();
    for posting in &gone {
        let request = pb::GetJobPostingRequest {
            id: posting.id.clone(),
        };
        expect_code(
            jobs.get_job_posting(authed(request, &alice.access_token))
                .await,
            Code::NotFound,
        );
    }
    let request = pb::GetJobPostingRequest {
        id: survivor.id.clone(),
    };
    jobs.get_job_posting(authed(request, &alice.access_token))
        .await
        .unwrap();
    // A second delete finds nothing; an empty site deletes with zero postings.
    expect_code(delete(&app, &alice, &doomed.id).await, Code::NotFound);
    let empty = create(&app, &alice, site("Empty")).await.unwrap();
    assert_eq!(delete(&app, &alice, &empty.id).await.unwrap(), 0);
}

#[tokio::test]
async fn invalid_fields_are_all_named() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bad = pb::JobSite {
        site_name: "   ".into(),
        site_url: "javascript:alert(1)".into(),
        site_password: "p".repeat(256),
        rating: 6,
        resume_format: "f".repeat(51),
        last_visited_at: Some(ts(-1)),
        headline: "h".repeat(256),
        description: "d".repeat(10_001),
        ..Default::default()
    };
    let status = expect_code(create(&app, &alice, bad).await, Code::InvalidArgument);
    assert_eq!(
        violated_fields(&status),
        [
            "job_site.site_name",
            "job_site.site_url",
            "job_site.site_password",
            "job_site.rating",
            "job_site.resume_format",
            "job_site.last_visited_at",
            "job_site.headline",
            "job_site.description",
        ]
    );
    assert!(
        list(&app, &alice, 0, "")
            .await
            .unwrap()
            .job_sites
            .is_empty()
    );
}

#[tokio::test]
async fn another_users_site_answers_exactly_like_a_missing_one() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let mine = create(&app, &alice, full_site()).await.unwrap();
    let missing = uuid::Uuid::now_v7().to_string();

    for id in [&mine.id, &missing] {
        let status = expect_code(get(&app, &bob, id).await, Code::NotFound);
        assert_eq!(status.message(), "job site not found");
        let patch = pb::JobSite {
            id: id.clone(),
            rating: 5,
            ..Default::default()
        };
        let status = expect_code(update(&app, &bob, patch, &["rating"]).await, Code::NotFound);
        assert_eq!(status.message(), "job site not found");
        let status = expect_code(delete(&app, &bob, id).await, Code::NotFound);
        assert_eq!(status.message(), "job site not found");
    }
    assert!(list(&app, &bob, 0, "").await.unwrap().job_sites.is_empty());
    assert_eq!(get(&app, &alice, &mine.id).await.unwrap(), mine);
}

#[tokio::test]
async fn malformed_ids_are_invalid_arguments_on_id() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    // Other spellings of a real site's id are malformed too, not "not found".
    let real = create(&app, &alice, site("Board")).await.unwrap().id;
    let upper = real.to_uppercase();
    let urn = format!("urn:uuid:{real}");
    let braced = format!("{{{real}}}");
    let simple = real.replace('-', "");
    for id in ["", "42", "' OR 1=1 --", &upper, &urn, &braced, &simple] {
        let status = expect_code(get(&app, &alice, id).await, Code::InvalidArgument);
        assert_eq!(violated_fields(&status), ["id"], "{id:?}");
        let status = expect_code(delete(&app, &alice, id).await, Code::InvalidArgument);
        assert_eq!(violated_fields(&status), ["id"], "{id:?}");
    }
    assert_eq!(get(&app, &alice, &real).await.unwrap().site_name, "Board");
}

#[tokio::test]
async fn stored_passwords_are_not_plaintext() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let created = create(&app, &alice, full_site()).await.unwrap();
    let stored: String = sqlx::query_scalar(
        "SELECT site_password_ciphertext FROM job_sites WHERE user_id = $1 AND id = $2",
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
    assert!(!stored.contains("hunter2"));

    // A site without a password stores none.
    let bare = create(&app, &alice, site("Bare")).await.unwrap();
    let stored: String =
        sqlx::query_scalar("SELECT site_password_ciphertext FROM job_sites WHERE id = $1")
            .bind(&bare.id)
            .fetch_one(&app.jobs_state.db)
            .await
            .unwrap();
    assert_eq!(stored, "");
}
