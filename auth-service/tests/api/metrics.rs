//! Operators: `/metrics` on the admin port counts every call by method and
//! code (HTTP/2 and grpc-web alike), token verifications by outcome and the
//! argon2 queue.

use shared::{
    proto::jobsearch::auth::v1 as pb,
    testing::{http1, metric},
};
use tonic::Code;

use crate::helpers::{PASSWORD, expect_code, spawn_app};

const AUTH: &str = r#"grpc_service="jobsearch.auth.v1.AuthService""#;

fn handled(method: &str, code: &str) -> String {
    format!(r#"grpc_server_handled_total{{{AUTH},grpc_method="{method}",grpc_code="{code}"}}"#)
}

#[tokio::test]
async fn metrics_count_calls_by_method_and_code_and_verifications_by_outcome() {
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;
    expect_code(
        app.login("ada", "wrong password").await,
        Code::Unauthenticated,
    );
    expect_code(app.me("not-a-jwt").await, Code::Unauthenticated);
    app.me(&tokens.access_token).await.unwrap();
    let verify = |token: &str| pb::VerifyTokenRequest {
        token: token.to_owned(),
    };
    let mut client = app.client.clone();
    let active = client.verify_token(verify(&tokens.access_token)).await;
    assert!(active.unwrap().into_inner().active);
    app.refresh(&tokens.refresh_token).await.unwrap();
    // The refresh rotated the session's refresh token, not its access
    // token; logging out ends the session, so the access token is revoked.
    let logout = pb::LogoutRequest {
        refresh_token: tokens.refresh_token.clone(),
    };
    client.logout(logout).await.unwrap();
    let revoked = client.verify_token(verify(&tokens.access_token)).await;
    assert!(!revoked.unwrap().into_inner().active);
    // A browser's grpc-web call, and a path nobody serves.
    let headers = [
        ("content-type", "application/grpc-web+proto"),
        ("x-grpc-web", "1"),
    ];
    let body = http1::grpc_web_frame(&pb::GetJwksRequest {});
    for path in ["/jobsearch.auth.v1.AuthService/GetJwks", "/no.Such/Method"] {
        http1::request(app.addr, "POST", path, &headers, &body).await;
    }

    let text = app.metrics().await;
    let expected = [
        (handled("Register", "OK"), 1.0),
        (handled("Login", "OK"), 1.0),
        (handled("Login", "Unauthenticated"), 1.0),
        (handled("GetMe", "OK"), 1.0),
        (handled("GetMe", "Unauthenticated"), 1.0),
        (handled("VerifyToken", "OK"), 2.0),
        (handled("GetJwks", "OK"), 1.0),
        (
            r#"grpc_server_handled_total{grpc_service="unknown",grpc_method="unknown",grpc_code="Unimplemented"}"#.to_owned(),
            1.0,
        ),
        (
            format!(r#"grpc_server_handling_seconds_count{{{AUTH},grpc_method="Login"}}"#),
            2.0,
        ),
        (r#"token_verifications_total{outcome="ok"}"#.to_owned(), 2.0),
        (r#"token_verifications_total{outcome="malformed"}"#.to_owned(), 1.0),
        (r#"token_verifications_total{outcome="revoked"}"#.to_owned(), 1.0),
        ("argon2_hashes_waiting".to_owned(), 0.0),
        ("argon2_hashes_running".to_owned(), 0.0),
    ];
    for (series, value) in expected {
        assert_eq!(metric(&text, &series), Some(value), "{series} in\n{text}");
    }
    assert!(metric(&text, "argon2_hashes_max_concurrent").unwrap() >= 1.0);
    // Nothing secret is ever a label.
    assert!(!text.contains(&tokens.access_token) && !text.contains(PASSWORD));
    // The admin port also answers liveness.
    let health = http1::request(app.admin_addr, "GET", "/healthz", &[], b"").await;
    assert_eq!((health.status, health.body.as_slice()), (200, &b"ok\n"[..]));
}
