//! Server plumbing both services assemble the same way: reflection over the
//! contracts, tuned TCP accepting, and serving with a drain deadline.

use std::{future::Future, time::Duration};

use tokio::{net::TcpListener, sync::watch};
use tonic::transport::server::TcpIncoming;

use crate::proto::FILE_DESCRIPTOR_SET;

/// Reflection over every contract, health, and `google.rpc` (so that
/// grpcurl can decode error details). Build it with `build_v1()` and again
/// with `build_v1alpha()`: grpcurl 1.8 speaks only v1alpha.
pub fn reflection() -> tonic_reflection::server::Builder<'static> {
    tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
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
