//! The duplicate-posting warning: a create with the company and title of
//! another of the caller's postings (ignoring case) is stored and answered
//! with an `x-jobsearch-warning` header that browsers may read.

use shared::proto::jobsearch::jobs::v1 as pb;

use crate::{
    helpers::spawn_app,
    tag_helpers::{add_posting, create_posting, posting, site},
};

#[tokio::test]
async fn a_posting_like_an_existing_one_is_stored_with_a_duplicate_warning() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let site = site(&app, &ada).await;
    let warning = |metadata: &tonic::metadata::MetadataMap| {
        metadata
            .get("x-jobsearch-warning")
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (first, metadata) =
        create_posting(&app, &ada, posting(&site, "Acme", "Rust Engineer", &[]))
            .await
            .unwrap();
    assert_eq!(warning(&metadata), None);
    let (second, metadata) =
        create_posting(&app, &ada, posting(&site, "ACME", "rust engineer", &[]))
            .await
            .unwrap();
    assert_ne!(second.id, first.id);
    assert_eq!(
        warning(&metadata),
        Some(format!("duplicate; existing=jobPostings/{}", first.id))
    );
    let (_, metadata) = create_posting(&app, &ada, posting(&site, "Acme", "Go Engineer", &[]))
        .await
        .unwrap();
    assert_eq!(warning(&metadata), None);

    // Another user's posting is never a duplicate of the caller's.
    let bob = app.user("bob").await;
    let bob_site = crate::tag_helpers::site(&app, &bob).await;
    let (_, metadata) =
        create_posting(&app, &bob, posting(&bob_site, "Acme", "Rust Engineer", &[]))
            .await
            .unwrap();
    assert_eq!(warning(&metadata), None);
}

#[tokio::test]
async fn browsers_can_read_the_duplicate_warning() {
    use shared::testing::http1::{self, grpc_web_decode, grpc_web_frame};
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let site = site(&app, &ada).await;
    add_posting(&app, &ada, posting(&site, "Acme", "Engineer", &[])).await;
    let bearer = format!("Bearer {}", ada.access_token);
    let headers = [
        ("origin", crate::helpers::ALLOWED_ORIGIN),
        ("content-type", "application/grpc-web+proto"),
        ("x-grpc-web", "1"),
        ("authorization", bearer.as_str()),
    ];
    let body = grpc_web_frame(&pb::CreateJobPostingRequest {
        job_posting: Some(posting(&site, "acme", "ENGINEER", &[])),
    });
    let path = "/jobsearch.jobs.v1.JobsService/CreateJobPosting";
    let response = http1::request(app.jobs_addr, "POST", path, &headers, &body).await;
    assert_eq!(response.status, 200, "{response:?}");
    let (_, trailers) = grpc_web_decode::<pb::JobPosting>(&response.body);
    assert!(trailers.contains("grpc-status:0"), "{trailers}");
    let warning = response.header("x-jobsearch-warning").unwrap_or_default();
    assert!(
        warning.starts_with("duplicate; existing=jobPostings/"),
        "{response:?}"
    );
    let exposed = response.header_list("access-control-expose-headers");
    assert!(
        exposed.iter().any(|h| h == "x-jobsearch-warning"),
        "{response:?}"
    );
}
