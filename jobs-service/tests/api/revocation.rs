//! Revocations reach every jobs-service replica: logout, refresh-token reuse
//! and disabled accounts are refused everywhere within moments, across
//! auth-service replicas and restarts; service and user tokens never pass
//! for each other.

use std::time::{Duration, Instant};

use shared::proto::jobsearch::{
    auth::v1::{self as auth_pb, auth_service_client::AuthServiceClient},
    jobs::v1::{self as pb, jobs_service_client::JobsServiceClient},
};
use tonic::{Code, transport::Channel};

use crate::helpers::{TestApp, TestUser, authed, expect_code, spawn_app};

/// Generous bound for a revocation to reach a replica; the measured figures
/// are far below it (see docs/revocation.md).
const BOUND: Duration = Duration::from_secs(5);

/// Whether `replica` accepts `token`.
async fn accepts(replica: &JobsServiceClient<Channel>, token: &str) -> bool {
    let result = replica
        .clone()
        .list_job_sites(authed(pb::ListJobSitesRequest::default(), token))
        .await;
    match result {
        Ok(_) => true,
        Err(status) if status.code() == Code::Unauthenticated => false,
        Err(status) => panic!("unexpected status: {status:?}"),
    }
}

/// Waits until every replica refuses `token`; returns how long it took.
async fn until_refused_everywhere(
    replicas: &[&JobsServiceClient<Channel>],
    token: &str,
) -> Duration {
    let start = Instant::now();
    for replica in replicas {
        while accepts(replica, token).await {
            assert!(
                start.elapsed() < BOUND,
                "token still accepted after {BOUND:?}"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    start.elapsed()
}

async fn logout(auth: &AuthServiceClient<Channel>, user: &TestUser) {
    auth.clone()
        .logout(auth_pb::LogoutRequest {
            refresh_token: user.refresh_token.clone(),
        })
        .await
        .unwrap();
}

async fn login(auth: &AuthServiceClient<Channel>, username: &str) -> TestUser {
    let login = auth
        .clone()
        .login(auth_pb::LoginRequest {
            username: username.into(),
            password: crate::helpers::PASSWORD.into(),
        })
        .await
        .unwrap()
        .into_inner();
    TestUser {
        id: login.user.unwrap().id,
        access_token: login.access_token,
        refresh_token: login.refresh_token,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

#[tokio::test]
async fn a_logout_is_refused_by_both_jobs_replicas_within_moments() {
    let mut app = spawn_app().await;
    let second = app.jobs_replica(app.auth_addr).await;
    app.user("ada").await;
    let replicas = [&app.jobs, &second.client];
    let mut latencies = Vec::new();
    for _ in 0..200 {
        let user = login(&app.auth, "ada").await;
        for replica in replicas {
            assert!(accepts(replica, &user.access_token).await);
        }
        logout(&app.auth, &user).await;
        latencies.push(until_refused_everywhere(&replicas, &user.access_token).await);
    }
    latencies.sort();
    let (p50, p99, max) = (
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies[199],
    );
    println!(
        "logout → refused by both replicas over 200 trials: p50 {p50:?}, p99 {p99:?}, max {max:?}"
    );
    assert!(p99 < Duration::from_secs(1), "p99 {p99:?}");
}

#[tokio::test]
async fn revocations_cross_auth_replicas_to_every_jobs_replica() {
    let mut app = spawn_app().await;
    let second_auth = app.auth_replica().await;
    let auth2 = AuthServiceClient::connect(format!("http://{second_auth}"))
        .await
        .unwrap();
    // One jobs replica follows each auth replica.
    let follows_second = app.jobs_replica(second_auth).await;
    let replicas = [&app.jobs, &follows_second.client];
    app.user("ada").await;

    let user = login(&app.auth, "ada").await;
    logout(&auth2, &user).await;
    let elapsed = until_refused_everywhere(&replicas, &user.access_token).await;
    println!("logout at auth replica 2 → refused by both jobs replicas in {elapsed:?}");

    let user = login(&auth2, "ada").await;
    logout(&app.auth, &user).await;
    let elapsed = until_refused_everywhere(&replicas, &user.access_token).await;
    println!("logout at auth replica 1 → refused by both jobs replicas in {elapsed:?}");
}

#[tokio::test]
async fn restarting_the_auth_service_loses_no_revocation() {
    let mut app = spawn_app().await;
    let second_auth = app.auth_replica().await;
    let auth2 = AuthServiceClient::connect(format!("http://{second_auth}"))
        .await
        .unwrap();
    let second_jobs = app.jobs_replica(app.auth_addr).await;
    app.user("ada").await;
    let mut sessions = Vec::new();
    for _ in 0..10 {
        sessions.push(login(&auth2, "ada").await);
    }
    // Half are logged out before the restart, half while the auth-service
    // the jobs replicas follow is down (through the other replica).
    let (before, during) = sessions.split_at(5);
    for user in before {
        logout(&auth2, user).await;
    }
    app.restart_auth(async {
        for user in during {
            logout(&auth2, user).await;
        }
    })
    .await;
    for user in &sessions {
        until_refused_everywhere(&[&app.jobs, &second_jobs.client], &user.access_token).await;
    }
    let still_valid = login(&auth2, "ada").await;
    assert!(accepts(&app.jobs, &still_valid.access_token).await);
}

#[tokio::test]
async fn refresh_token_reuse_revokes_the_session_everywhere() {
    let mut app = spawn_app().await;
    let second = app.jobs_replica(app.auth_addr).await;
    let user = app.user("ada").await;
    let mut auth = app.auth.clone();
    let rotated = auth
        .refresh_token(auth_pb::RefreshTokenRequest {
            refresh_token: user.refresh_token.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(accepts(&second.client, &rotated.access_token).await);
    let reuse = auth
        .refresh_token(auth_pb::RefreshTokenRequest {
            refresh_token: user.refresh_token.clone(),
        })
        .await;
    expect_code(reuse, Code::Unauthenticated);
    for token in [&user.access_token, &rotated.access_token] {
        until_refused_everywhere(&[&app.jobs, &second.client], token).await;
    }
}

#[tokio::test]
async fn a_disabled_account_is_refused_everywhere() {
    let app = spawn_app().await;
    let user = app.user("ada").await;
    assert!(accepts(&app.jobs, &user.access_token).await);
    app.disable_user("ada").await;
    until_refused_everywhere(&[&app.jobs], &user.access_token).await;
}

async fn service_token(app: &TestApp) -> String {
    app.auth
        .clone()
        .issue_service_token(auth_pb::IssueServiceTokenRequest {
            client_id: "jobs-service".into(),
            client_secret: "test-client-secret-0123456789".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .service_token
}

#[tokio::test]
async fn service_and_user_tokens_never_pass_for_each_other() {
    let app = spawn_app().await;
    let user = app.user("ada").await;
    let mut auth = app.auth.clone();

    let watch = auth
        .watch_revocations(authed(
            auth_pb::WatchRevocationsRequest { cursor: 0 },
            &user.access_token,
        ))
        .await;
    expect_code(watch.map(|_| ()), Code::Unauthenticated);
    let anonymous = auth
        .watch_revocations(auth_pb::WatchRevocationsRequest { cursor: 0 })
        .await;
    expect_code(anonymous.map(|_| ()), Code::Unauthenticated);

    let service = service_token(&app).await;
    assert!(
        !accepts(&app.jobs, &service).await,
        "a service token passed as a user token"
    );
    let me = auth
        .get_me(authed(auth_pb::GetMeRequest {}, &service))
        .await;
    expect_code(me, Code::Unauthenticated);
    let watch = auth
        .watch_revocations(authed(
            auth_pb::WatchRevocationsRequest { cursor: 0 },
            &service,
        ))
        .await;
    assert!(watch.is_ok(), "{watch:?}");
}

#[tokio::test]
async fn a_wrong_client_secret_gets_no_service_token() {
    let app = spawn_app().await;
    let mut auth = app.auth.clone();
    for (client_id, client_secret) in [
        ("jobs-service", "wrong"),
        ("nobody", "test-client-secret-0123456789"),
    ] {
        let result = auth
            .issue_service_token(auth_pb::IssueServiceTokenRequest {
                client_id: client_id.into(),
                client_secret: client_secret.into(),
            })
            .await;
        let status = expect_code(result, Code::Unauthenticated);
        assert_eq!(status.message(), "invalid username or password");
    }
}
