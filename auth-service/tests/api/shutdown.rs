//! Graceful shutdown of the real binary under load: SIGTERM lets every call
//! already in the server finish, then the process exits 0.

use std::{
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use shared::proto::jobsearch::auth::v1::{self as pb, auth_service_client::AuthServiceClient};
use tokio::sync::Mutex;

use crate::helpers::PASSWORD;

/// When a call started and ended, and whether it succeeded.
type Outcome = (Instant, Instant, Result<(), tonic::Code>);

#[tokio::test]
async fn sigterm_under_load_fails_no_call_already_in_flight_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    // Hashing with one permit: logins queue in the server, so many calls are
    // in flight when the signal arrives (lighter than production's cost, as
    // this is a debug build).
    let mut child = Command::new(env!("CARGO_BIN_EXE_auth-service"))
        .env("AUTH_LISTEN_ADDR", &addr)
        // Any free port: the default 9051 may be taken by a local run.
        .env("AUTH_ADMIN_LISTEN_ADDR", "127.0.0.1:0")
        .env("AUTH_DATA_DIR", dir.path())
        .env("AUTH_HASHING_CONCURRENCY", "1")
        .env("AUTH_ARGON2_MEMORY_KIB", "4096")
        .env("AUTH_ARGON2_ITERATIONS", "1")
        .env("AUTH_SHUTDOWN_GRACE_SECS", "20")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = connect(&addr).await;
    client
        .clone()
        .register(pb::RegisterRequest {
            username: "ada".into(),
            email: "ada@example.com".into(),
            password: PASSWORD.into(),
            ..Default::default()
        })
        .await
        .unwrap();

    let outcomes: Arc<Mutex<Vec<Outcome>>> = Arc::default();
    let load: Vec<_> = (0..16)
        .map(|_| {
            let (client, outcomes) = (client.clone(), outcomes.clone());
            tokio::spawn(async move { login_until_refused(client, outcomes).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sigterm_at = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    for task in load {
        task.await.unwrap();
    }
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    let exited_in = sigterm_at.elapsed();

    let outcomes = outcomes.lock().await;
    // Calls started at least 20 ms before the signal had reached the server
    // (loopback takes microseconds): every one of them must succeed.
    let started_before: Vec<&Outcome> = outcomes
        .iter()
        .filter(|(start, _, _)| *start + Duration::from_millis(20) <= sigterm_at)
        .collect();
    let failed: Vec<_> = started_before
        .iter()
        .filter(|(_, _, result)| result.is_err())
        .collect();
    // The test means something only if calls were running across the signal.
    let across_signal = started_before
        .iter()
        .filter(|(_, end, _)| *end > sigterm_at)
        .count();
    println!(
        "calls started before SIGTERM: {}, still running at SIGTERM: {across_signal}, \
         failed: {}, exit {:?} after {exited_in:?}",
        started_before.len(),
        failed.len(),
        status.code()
    );
    assert!(failed.is_empty(), "in-flight calls failed: {failed:?}");
    assert!(
        across_signal > 0,
        "no call was in flight when the signal arrived"
    );
    assert_eq!(status.code(), Some(0), "exit status {status:?}");
    assert!(
        exited_in < Duration::from_secs(20),
        "took {exited_in:?} to stop"
    );
}

/// Logs in again and again until the server refuses; records every call.
async fn login_until_refused(
    mut client: AuthServiceClient<tonic::transport::Channel>,
    outcomes: Arc<Mutex<Vec<Outcome>>>,
) {
    loop {
        let start = Instant::now();
        let result = client
            .login(pb::LoginRequest {
                username: "ada".into(),
                password: PASSWORD.into(),
            })
            .await
            .map(|_| ())
            .map_err(|status| status.code());
        let refused = result.is_err();
        outcomes.lock().await.push((start, Instant::now(), result));
        if refused {
            return;
        }
    }
}

async fn connect(addr: &str) -> AuthServiceClient<tonic::transport::Channel> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match AuthServiceClient::connect(format!("http://{addr}")).await {
            Ok(client) => return client,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(error) => panic!("the binary never listened: {error}"),
        }
    }
}
