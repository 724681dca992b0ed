//! The jobs-service without the auth-service's keys: it must refuse to
//! serve (rather than accept anything) and say so in its health.

use shared::proto::jobsearch::jobs::v1::{self as pb, jobs_service_client::JobsServiceClient};
use tonic::Code;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use crate::helpers::{authed, expect_code};

#[tokio::test]
async fn without_keys_calls_are_unavailable_and_health_is_not_serving() {
    let dir = tempfile::tempdir().unwrap();
    // An auth URL where nothing listens: the keys never arrive.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let config = jobs_service::config::Config::from_vars([
        ("JOBS_DATA_DIR".to_owned(), dir.path().display().to_string()),
        ("JOBS_AUTH_URL".to_owned(), dead_url),
    ])
    .unwrap();
    let state = jobs_service::state::AppState::build(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(jobs_service::run(listener, state, std::future::pending()));
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();

    let health = HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: "jobsearch.jobs.v1.JobsService".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(health.status(), ServingStatus::NotServing);
    let result = JobsServiceClient::new(channel)
        .list_job_sites(authed(pb::ListJobSitesRequest::default(), "a.b.c"))
        .await;
    expect_code(result, Code::Unavailable);
}
