//! Assembles the server: health, reflection (v1 and v1alpha, so grpcurl 1.8
//! works), grpc-web with CORS, metrics and request ids for every call, the
//! AuthService, the admin port and the background purge;
//! then serves until shutdown, draining in-flight calls under a deadline.

use std::{future::Future, sync::Arc, time::Duration};

use anyhow::Context;
use shared::proto::jobsearch::auth::v1::auth_service_server::AuthServiceServer;
use shared::{health::Readiness, observe::ObserveLayer};
use tokio::{net::TcpListener, sync::watch};

use crate::{db, grpc::AuthApi, service::now, state::AppState};

/// The health name of the API.
const AUTH_SERVICE: &str = <AuthServiceServer<AuthApi> as tonic::server::NamedService>::NAME;

/// How often the database is checked for health.
const DATABASE_CHECK_EVERY: Duration = Duration::from_secs(2);

/// Largest request accepted, in bytes: auth messages are small, so anything
/// bigger is a mistake or an attack.
const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Serves until `shutdown` resolves, then stops accepting calls, lets
/// in-flight ones finish (up to `AUTH_SHUTDOWN_GRACE_SECS`) and closes the pool.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    run_with_admin(listener, None, state, shutdown).await
}

/// [`run`], plus the admin HTTP server (`/metrics`, `/healthz`) on `admin`
/// if given, stopped once the gRPC server has drained.
pub async fn run_with_admin(
    listener: TcpListener,
    admin: Option<TcpListener>,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let metrics = state.metrics.clone();
    let admin = shared::admin::Admin::start(admin, Arc::new(move || metrics.render()));
    let (health, health_service) = tonic_health::server::health_reporter();
    // SERVING only while the database answers (checked every few seconds).
    let readiness = Readiness::new(health, AUTH_SERVICE, &["database"]).await;
    let reflection_v1 = shared::server::reflection(AUTH_SERVICE)
        .build_v1()
        .context("reflection v1")?;
    let reflection_v1alpha = shared::server::reflection(AUTH_SERVICE)
        .build_v1alpha()
        .context("reflection v1alpha")?;
    let cors = state.config.cors().context("CORS")?.layer();
    let api = AuthServiceServer::new(AuthApi::new(state.clone()))
        .max_decoding_message_size(MAX_REQUEST_BYTES);

    let (stop_tx, stop_rx) = watch::channel(false);
    let purge = tokio::spawn(purge_periodically(state.clone(), stop_rx.clone()));
    let database_check = tokio::spawn(shared::health::watch_database(
        readiness.clone(),
        state.db.clone(),
        DATABASE_CHECK_EVERY,
        stop_rx.clone(),
    ));
    // Other replicas' revocations arrive as PostgreSQL NOTIFYs.
    let listener_task = state
        .postgres_url()
        .map(|url| tokio::spawn(crate::feed::listen_postgres(url, state.feed.clone())));
    let feed = state.feed.clone();
    let grace = Duration::from_secs(state.config.shutdown_grace_secs);
    let signal = async move {
        shutdown.await;
        readiness.drain().await;
        // End revocation streams so that draining does not wait on them.
        feed.close();
        let _ = stop_tx.send(true);
    };
    let serve = shared::server::builder(state.config.limits())
        .accept_http1(true)
        // Outermost, so browsers' preflights are answered before tonic-web
        // (which refuses an HTTP/1.1 OPTIONS).
        .layer(cors)
        .layer(tonic_web::GrpcWebLayer::new())
        // Inside tonic-web, so grpc-web calls are recorded as plain gRPC.
        .layer(ObserveLayer::new(state.metrics.grpc.clone()))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(api)
        .serve_with_incoming_shutdown(shared::server::incoming(listener), signal);
    shared::server::serve_with_grace(serve, stop_rx, grace)
        .await
        .context("server")?;
    purge.abort();
    database_check.abort();
    if let Some(task) = listener_task {
        task.abort();
    }
    state.writer.close().await;
    state.db.close().await;
    admin.stop().await;
    tracing::info!("stopped");
    Ok(())
}

/// Deletes expired sessions, tokens and throttle records every
/// `AUTH_PURGE_INTERVAL_SECS` (every replica does; the deletes are idempotent).
async fn purge_periodically(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(Duration::from_secs(state.config.purge_interval_secs));
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        match purge_once(&state).await {
            Ok(purged) => tracing::debug!(?purged, "purged expired records"),
            Err(error) => tracing::warn!(%error, "purge failed; will retry"),
        }
    }
}

/// One purge pass with the configured retention.
pub(crate) async fn purge_once(state: &AppState) -> sqlx::Result<db::purge::Purged> {
    let now = now();
    let config = &state.config;
    // Revoked sessions are kept while their access tokens could still be
    // presented, so an audit can tell "revoked" from "never existed".
    let revoked_before = now - i64::try_from(config.access_token_ttl_secs).unwrap_or(0);
    let forget_before = now - i64::try_from(config.login_lockout_max_secs).unwrap_or(0);
    db::purge::purge(&state.writer, now, revoked_before, forget_before).await
}
