//! Server plumbing both services assemble the same way: reflection over the
//! contracts, tuned TCP accepting, and serving with a drain deadline.

use std::{future::Future, time::Duration};

use tokio::{net::TcpListener, sync::watch};
use tonic::transport::{Server, server::TcpIncoming};

use crate::proto::FILE_DESCRIPTOR_SET;

/// Reflection advertising `service` and health (the descriptors of every
/// contract and of `google.rpc` are registered, so that types resolve and
/// grpcurl can decode error details, but only what this server serves is
/// listed). Build it with `build_v1()` and again with `build_v1alpha()`:
/// grpcurl 1.8 speaks only v1alpha.
pub fn reflection(service: &str) -> tonic_reflection::server::Builder<'static> {
    tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
        .with_service_name(service)
        .with_service_name("grpc.health.v1.Health")
        .with_service_name("grpc.reflection.v1.ServerReflection")
        .with_service_name("grpc.reflection.v1alpha.ServerReflection")
}

/// Limits every server applies to its calls.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Default deadline of a call; a client's shorter `grpc-timeout` wins.
    pub request_timeout: Duration,
    /// Calls (HTTP/2 streams) one connection may run at once.
    pub max_concurrent_streams: u32,
}

/// How often an idle HTTP/2 connection is pinged, and how long a ping may
/// go unanswered before the connection is closed (dead peers behind NATs
/// and load balancers otherwise hold resources for hours).
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// A server builder with the limits and keepalives applied. tonic honours a
/// client's `grpc-timeout` on its own, up to `request_timeout`.
pub fn builder(limits: Limits) -> Server {
    Server::builder()
        .timeout(limits.request_timeout)
        .max_concurrent_streams(Some(limits.max_concurrent_streams))
        .http2_keepalive_interval(Some(KEEPALIVE_INTERVAL))
        .http2_keepalive_timeout(Some(KEEPALIVE_TIMEOUT))
}

/// Accepted connections with TCP_NODELAY (without it, small gRPC responses
/// wait ~40 ms for delayed ACKs) and TCP keepalive to notice dead peers.
pub fn incoming(listener: TcpListener) -> TcpIncoming {
    TcpIncoming::from(listener)
        .with_nodelay(Some(true))
        .with_keepalive(Some(Duration::from_secs(60)))
}

/// Runs `serve` (a server future that stops accepting once `stopping`
/// turns true and then waits for in-flight calls) but gives those calls at
/// most `grace` after the stop: tonic alone would wait forever for a stuck
/// call or an open stream.
pub async fn serve_with_grace<E>(
    serve: impl Future<Output = Result<(), E>>,
    mut stopping: watch::Receiver<bool>,
    grace: Duration,
) -> Result<(), E> {
    tokio::pin!(serve);
    tokio::select! {
        result = &mut serve => result,
        () = async {
            let _ = stopping.wait_for(|stopped| *stopped).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(grace_secs = grace.as_secs(), "calls still running after the grace period; closing");
            Ok(())
        }
    }
}
