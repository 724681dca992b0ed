//! Operators: `/metrics` on the admin port counts every call by method and
//! code (HTTP/2 and grpc-web alike), token verifications by outcome and the
//! argon2 queue; every call gets a request id that is echoed and carried by
//! the call's log lines.

use shared::{
    proto::jobsearch::auth::v1 as pb,
    telemetry::LogFormat,
    testing::{capture_logs, http1, metric},
};
use tonic::Code;

use crate::helpers::{PASSWORD, authed, expect_code, spawn_app};

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
}

#[tokio::test]
async fn every_call_echoes_its_request_id_and_its_log_lines_carry_it() {
    // One thread: the servers spawned by this test log into the capture.
    let (_guard, logs) = capture_logs(LogFormat::Json);
    let app = spawn_app().await;
    let tokens = app.signed_up("ada").await;

    let mut request = authed(
        pb::ChangePasswordRequest {
            current_password: PASSWORD.into(),
            new_password: "An0ther-Horse-Battery!".into(),
        },
        &tokens.access_token,
    );
    request
        .metadata_mut()
        .insert("x-request-id", "walkthrough-42".parse().unwrap());
    let response = app.client.clone().change_password(request).await.unwrap();
    assert_eq!(
        response.metadata().get("x-request-id").unwrap(),
        "walkthrough-42"
    );

    // A failed call (trailers-only) echoes one too, generated when the
    // caller sent none or an unusable one.
    let mut request = tonic::Request::new(pb::GetMeRequest {});
    request
        .metadata_mut()
        .insert("x-request-id", "x".repeat(500).parse().unwrap());
    let status = expect_code(
        app.client.clone().get_me(request).await,
        Code::Unauthenticated,
    );
    let generated = status.metadata().get("x-request-id").unwrap();
    assert_eq!(generated.len(), 36, "{generated:?}");

    let text = logs.text();
    let line = text
        .lines()
        .find(|line| line.contains("password changed"))
        .unwrap_or_else(|| panic!("no log line of the call in\n{text}"));
    // The call's span is the outermost of the line's spans (handlers add
    // their own inside it).
    let line: serde_json::Value = serde_json::from_str(line).unwrap();
    let call = &line["spans"][0];
    assert_eq!(call["name"], "grpc", "{line}");
    assert_eq!(call["request_id"], "walkthrough-42", "{line}");
    assert_eq!(
        call["method"], "/jobsearch.auth.v1.AuthService/ChangePassword",
        "{line}"
    );
    // Neither the passwords nor the token reach the logs.
    for secret in [PASSWORD, "An0ther-Horse-Battery!", &tokens.access_token] {
        assert!(!text.contains(secret), "a secret was logged");
    }
}
