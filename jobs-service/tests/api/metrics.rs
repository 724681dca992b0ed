//! Operators: the jobs-service's `/metrics` counts calls by method and code,
//! the interceptor's verdicts by outcome and the revocation feed's health;
//! the auth-service's counts the feed's own calls.

use std::time::Duration;

use shared::{proto::jobsearch::jobs::v1 as pb, testing::metric};
use tonic::Code;

use crate::helpers::{authed, expect_code, now, spawn_app};

const JOBS: &str = r#"grpc_service="jobsearch.jobs.v1.JobsService""#;

#[tokio::test]
async fn metrics_show_calls_verdicts_and_the_revocation_feed() {
    let app = spawn_app().await;
    let user = app.user("ada").await;
    let list = |token: &str| {
        let mut jobs = app.jobs.clone();
        let request = authed(pb::ListJobSitesRequest::default(), token);
        async move { jobs.list_job_sites(request).await }
    };
    list(&user.access_token).await.unwrap();
    let mut jobs = app.jobs.clone();
    let anonymous = jobs.list_job_sites(pb::ListJobSitesRequest::default());
    expect_code(anonymous.await, Code::Unauthenticated);
    expect_code(list("garbage").await, Code::Unauthenticated);
    let expired = app.forged_token(&user, &app.auth_signing_pem, |claims| {
        claims["iat"] = (now() - 7200).into();
        claims["nbf"] = (now() - 7200).into();
        claims["exp"] = (now() - 3600).into();
    });
    expect_code(list(&expired).await, Code::Unauthenticated);
    let stranger = auth_service::keys::generate_pem().unwrap();
    let forged = app.forged_token(&user, &stranger, |_| {});
    expect_code(list(&forged).await, Code::Unauthenticated);
    // Log out, wait for the feed to deliver it, then use the token once.
    let mut auth = app.auth.clone();
    let logout = shared::proto::jobsearch::auth::v1::LogoutRequest {
        refresh_token: user.refresh_token.clone(),
    };
    auth.logout(logout).await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        while app.jobs_state.revocations.len().0 == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    expect_code(list(&user.access_token).await, Code::Unauthenticated);

    let text = app.metrics(app.jobs_admin_addr).await;
    let handled = |code: &str| {
        format!(
            r#"grpc_server_handled_total{{{JOBS},grpc_method="ListJobSites",grpc_code="{code}"}}"#
        )
    };
    let verdict = |outcome: &str| format!(r#"token_verifications_total{{outcome="{outcome}"}}"#);
    let mut expected = vec![
        (handled("OK"), 1.0),
        (handled("Unauthenticated"), 5.0),
        (r#"revocation_set_entries{kind="session"}"#.to_owned(), 1.0),
        ("revocation_feed_connected".to_owned(), 1.0),
        // The token's second use came from the cache of verified tokens,
        // and was still refused as revoked.
        ("token_cache_hits_total".to_owned(), 1.0),
    ];
    for outcome in [
        "ok",
        "missing",
        "malformed",
        "expired",
        "bad_signature",
        "revoked",
    ] {
        expected.push((verdict(outcome), 1.0));
    }
    for (series, value) in expected {
        assert_eq!(metric(&text, &series), Some(value), "{series} in\n{text}");
    }
    let lag = metric(&text, "revocation_feed_lag_seconds").unwrap();
    assert!((0.0..10.0).contains(&lag), "lag {lag}");
    assert!(metric(&text, "revocation_feed_cursor").unwrap() >= 1.0);

    // The auth-service served the jobs-service's keys and feed credentials.
    let text = app.metrics(app.auth_admin_addr).await;
    let auth_call = |method: &str| {
        format!(
            r#"grpc_server_handled_total{{grpc_service="jobsearch.auth.v1.AuthService",grpc_method="{method}",grpc_code="OK"}}"#
        )
    };
    assert_eq!(
        metric(&text, &auth_call("IssueServiceToken")),
        Some(1.0),
        "{text}"
    );
    assert!(
        metric(&text, &auth_call("GetJwks")).unwrap() >= 1.0,
        "{text}"
    );
}
