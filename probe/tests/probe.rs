//! The probe binary against a real `grpc.health.v1` server: exit codes for
//! serving, not serving (with and without `--live`), unknown services,
//! refused connections and a server that accepts but never answers (the
//! timeout).

// Helpers outside `#[test]` functions unwrap too (as the services' API tests do).
#![allow(clippy::unwrap_used)]

use std::{
    net::SocketAddr,
    process::{Command, Output},
    time::{Duration, Instant},
};

use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

/// Starts a health server on a free loopback port: `""` and `test.Up`
/// SERVING, `test.Down` NOT_SERVING.
async fn health_server() -> SocketAddr {
    let (reporter, service) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("test.Up", tonic_health::ServingStatus::Serving)
        .await;
    reporter
        .set_service_status("test.Down", tonic_health::ServingStatus::NotServing)
        .await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _keep = reporter;
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(TcpListenerStream::new(listener))
            .await
            .unwrap();
    });
    addr
}

/// Runs the probe off the runtime's threads (the server keeps serving).
async fn probe(args: &[String], timeout_ms: Option<&str>) -> Output {
    let args = args.to_vec();
    let timeout_ms = timeout_ms.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_probe"));
        command.args(&args).env_remove("PROBE_TIMEOUT_MS");
        if let Some(ms) = timeout_ms {
            command.env("PROBE_TIMEOUT_MS", ms);
        }
        command.output().unwrap()
    })
    .await
    .unwrap()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_code_follows_the_serving_status() {
    let addr = health_server().await.to_string();
    let uri = format!("http://{addr}");
    for (args, code) in [
        (strings(&[&addr]), 0),
        (strings(&[&uri]), 0),
        (strings(&[&addr, "test.Up"]), 0),
        (strings(&[&addr, "test.Down"]), 1),
        (strings(&[&addr, "test.Unknown"]), 1),
        (strings(&["--live", &addr, "test.Down"]), 0),
        (strings(&["--live", &addr, "test.Unknown"]), 1),
        (strings(&[]), 2),
    ] {
        let out = probe(&args, None).await;
        assert_eq!(
            out.status.code(),
            Some(code),
            "probe {args:?}: stderr {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connection_fails() {
    // Bind then drop: nothing listens on that port any more.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let out = probe(&strings(&[&addr.to_string()]), None).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot connect"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_server_times_out() {
    // Accepts connections and never says a word.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let started = Instant::now();
    let out = probe(&strings(&[&addr.to_string()]), Some("300")).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}
