//! The auth-service goes down: the jobs-service keeps verifying tokens
//! locally and follows `JOBS_REVOCATION_STALE_POLICY` once the revocation
//! feed is stale (docs/revocation.md, "When the feed is down").
//! `revocation::restarting_the_auth_service_loses_no_revocation` proves
//! that revocations made during the outage arrive afterwards; these prove
//! what is served while it lasts.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use shared::proto::jobsearch::jobs::v1::{self as pb, jobs_service_client::JobsServiceClient};
use tonic::{Code, transport::Channel};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use crate::helpers::{Overrides, authed, spawn_app_with};

/// Waits until the feed's health is `wanted`.
async fn feed_becomes(addr: SocketAddr, wanted: ServingStatus) {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_lazy();
    let mut health = HealthClient::new(channel);
    let start = Instant::now();
    loop {
        let request = HealthCheckRequest {
            service: "jobsearch.jobs.v1.RevocationFeed".into(),
        };
        let got = health.check(request).await.unwrap().into_inner().status();
        if got == wanted {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the feed stayed {got:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn list(jobs: &JobsServiceClient<Channel>, token: &str) -> Result<usize, tonic::Status> {
    let reply = jobs
        .clone()
        .list_job_sites(authed(pb::ListJobSitesRequest::default(), token))
        .await?;
    Ok(reply.into_inner().job_sites.len())
}

async fn app_with_policy(policy: &str) -> crate::helpers::TestApp {
    spawn_app_with(Overrides {
        auth: vec![],
        jobs: vec![
            ("JOBS_REVOCATION_STALE_POLICY".into(), policy.into()),
            // The least bound allowed (two heartbeats of the feed).
            ("JOBS_REVOCATION_MAX_STALENESS_SECS".into(), "10".into()),
        ],
    })
    .await
}

#[tokio::test]
async fn with_the_auth_service_down_valid_tokens_are_served_under_the_serve_policy() {
    let mut app = app_with_policy("serve").await;
    let user = app.user("ada").await;
    let (jobs, addr) = (app.jobs.clone(), app.jobs_addr);
    app.restart_auth(async {
        feed_becomes(addr, ServingStatus::NotServing).await;
        assert_eq!(list(&jobs, &user.access_token).await.unwrap(), 0);
        let job_site = Some(pb::JobSite {
            site_name: "Board".into(),
            ..Default::default()
        });
        let request = authed(pb::CreateJobSiteRequest { job_site }, &user.access_token);
        jobs.clone().create_job_site(request).await.unwrap();
    })
    .await;
    feed_becomes(addr, ServingStatus::Serving).await;
    assert_eq!(list(&jobs, &user.access_token).await.unwrap(), 1);
}

#[tokio::test]
async fn with_the_auth_service_down_older_tokens_are_refused_under_the_refuse_policy() {
    let mut app = app_with_policy("refuse").await;
    let user = app.user("ada").await;
    let (jobs, addr) = (app.jobs.clone(), app.jobs_addr);
    list(&jobs, &user.access_token).await.unwrap();
    // The policy refuses tokens issued before the feed's last contact: wait
    // for contact (a heartbeat, every 5 s) in a later second than the login.
    let issued = crate::helpers::now();
    let start = Instant::now();
    while app.jobs_state.revocations.last_contact() <= issued {
        assert!(start.elapsed() < Duration::from_secs(10), "no heartbeat");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.restart_auth(async {
        feed_becomes(addr, ServingStatus::NotServing).await;
        // The health check and the interceptor judge staleness alike, but
        // health is sampled every 200 ms: allow a moment, then the refusal
        // must be UNAUTHENTICATED.
        let stale_since = Instant::now();
        let status = loop {
            match list(&jobs, &user.access_token).await {
                Err(status) => break status,
                Ok(_) => assert!(
                    stale_since.elapsed() < Duration::from_secs(2),
                    "still served 2 s after the feed went stale"
                ),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    })
    .await;
    // Once the feed is back, the same token is served again.
    feed_becomes(addr, ServingStatus::Serving).await;
    list(&jobs, &user.access_token).await.unwrap();
}
