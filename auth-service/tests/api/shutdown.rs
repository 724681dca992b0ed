//! Graceful shutdown of the real binary under load: SIGTERM lets every call
//! already in the server finish, then the process exits 0.

use std::{
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use shared::{
    proto::jobsearch::auth::v1::{self as pb, auth_service_client::AuthServiceClient},
    testing::sigterm::{self, CallLog},
};

use crate::helpers::PASSWORD;

#[tokio::test]
async fn sigterm_under_load_fails_no_call_already_in_flight_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let addr = sigterm::free_local_addr();
    // Hashing with one permit: logins queue in the server, so many calls are
    // in flight when the signal arrives (lighter than production's cost, as
    // this is a debug build).
    let child = Command::new(env!("CARGO_BIN_EXE_auth-service"))
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

    let calls = Arc::new(CallLog::default());
    let load: Vec<_> = (0..16)
        .map(|_| {
            let (client, calls) = (client.clone(), calls.clone());
            tokio::spawn(async move { login_until_refused(client, &calls).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sigterm_at = sigterm::sigterm(&child);
    for task in load {
        task.await.unwrap();
    }
    let status = sigterm::exit_status(child).await;
    let exited_in = sigterm_at.elapsed();

    let verdict = calls.verdict(sigterm_at);
    println!("{verdict:?}, exit {:?} after {exited_in:?}", status.code());
    assert!(
        verdict.failed.is_empty(),
        "in-flight calls failed: {verdict:?}"
    );
    // The test means something only if calls were running across the signal.
    assert!(
        verdict.across_signal > 0,
        "no call was in flight at the signal"
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
    calls: &CallLog,
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
        calls.record(start, result);
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
