//! Logs: every call gets a request id (the caller's `x-request-id` if sane,
//! else a fresh one), echoed in the response, and every line the call logs
//! carries it and the method, in both log formats. The log lines are read
//! from the real binary's stderr, as an operator would see them.

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use shared::proto::jobsearch::auth::v1::{self as pb, auth_service_client::AuthServiceClient};
use tokio::{io::AsyncReadExt as _, process::Command};
use tonic::{Code, transport::Channel};

use crate::helpers::{PASSWORD, authed, expect_code, spawn_app};

const NEW_PASSWORD: &str = "An0ther-Horse-Battery!";

#[tokio::test]
async fn every_call_echoes_its_request_id_or_a_generated_one() {
    let app = spawn_app().await;
    let mut request = tonic::Request::new(pb::GetJwksRequest {});
    request
        .metadata_mut()
        .insert("x-request-id", "walkthrough-42".parse().unwrap());
    let response = app.client.clone().get_jwks(request).await.unwrap();
    assert_eq!(
        response.metadata().get("x-request-id").unwrap(),
        "walkthrough-42"
    );
    // A failed call (trailers-only) carries one too, generated when the
    // caller's is unusable (here too long).
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
}

#[tokio::test]
async fn json_log_lines_of_a_call_carry_its_method_and_request_id() {
    let (logs, access_token) = change_password_in_binary("json", "json-42").await;
    let line = logs
        .lines()
        .find(|line| line.contains("password changed"))
        .unwrap_or_else(|| panic!("no log line of the call in\n{logs}"));
    // The call's span is the outermost of the line's spans (handlers add
    // their own inside it).
    let line: serde_json::Value = serde_json::from_str(line).unwrap();
    let call = &line["spans"][0];
    assert_eq!(call["name"], "grpc", "{line}");
    assert_eq!(call["request_id"], "json-42", "{line}");
    assert_eq!(
        call["method"], "/jobsearch.auth.v1.AuthService/ChangePassword",
        "{line}"
    );
    for secret in [PASSWORD, NEW_PASSWORD, &access_token] {
        assert!(!logs.contains(secret), "a secret was logged");
    }
}

#[tokio::test]
async fn pretty_log_lines_of_a_call_carry_its_method_and_request_id() {
    let (logs, _) = change_password_in_binary("pretty", "pretty-7").await;
    let logs = strip_ansi(&logs);
    let line = logs
        .lines()
        .find(|line| line.contains("password changed"))
        .unwrap_or_else(|| panic!("no log line of the call in\n{logs}"));
    let prefix = "grpc{method=/jobsearch.auth.v1.AuthService/ChangePassword request_id=pretty-7}";
    assert!(line.contains(prefix), "{line}");
}

/// Runs the real binary with `AUTH_LOG_FORMAT=format`, changes a password
/// with `x-request-id: request_id`, stops it and returns its log and the
/// access token used.
async fn change_password_in_binary(format: &str, request_id: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_auth-service"))
        .env("AUTH_LISTEN_ADDR", &addr)
        .env("AUTH_ADMIN_LISTEN_ADDR", "off")
        .env("AUTH_DATA_DIR", dir.path())
        .env("AUTH_ARGON2_MEMORY_KIB", "1024")
        .env("AUTH_ARGON2_ITERATIONS", "1")
        .env("AUTH_LOG_FORMAT", format)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut client = connect(&addr).await;
    client
        .register(pb::RegisterRequest {
            username: "ada".into(),
            email: "ada@example.com".into(),
            password: PASSWORD.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let login = pb::LoginRequest {
        username: "ada".into(),
        password: PASSWORD.into(),
    };
    let access_token = client.login(login).await.unwrap().into_inner().access_token;
    let change = pb::ChangePasswordRequest {
        current_password: PASSWORD.into(),
        new_password: NEW_PASSWORD.into(),
    };
    let mut request = authed(change, &access_token);
    request
        .metadata_mut()
        .insert("x-request-id", request_id.parse().unwrap());
    client.change_password(request).await.unwrap();

    child.start_kill().unwrap();
    let mut logs = String::new();
    let mut stderr = child.stderr.take().unwrap();
    stderr.read_to_string(&mut logs).await.unwrap();
    let _ = child.wait().await;
    (logs, access_token)
}

async fn connect(addr: &str) -> AuthServiceClient<Channel> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match AuthServiceClient::connect(format!("http://{addr}")).await {
            Ok(client) => return client,
            Err(error) if Instant::now() > deadline => panic!("never came up: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// The text without terminal colour codes (`ESC [ ... m`).
fn strip_ansi(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            plain.push(c);
        }
    }
    plain
}
