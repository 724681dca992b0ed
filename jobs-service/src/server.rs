//! Assembles the server: health, reflection (v1 and v1alpha, so grpcurl 1.8
//! works), grpc-web with CORS, metrics and request ids for every call, the
//! JobsService behind its token interceptor, the admin port and the
//! key-refresh task; then serves until shutdown, draining in-flight
//! calls under a deadline.

use std::{future::Future, sync::Arc, time::Duration};

use anyhow::Context;
use shared::proto::jobsearch::jobs::v1::jobs_service_server::JobsServiceServer;
use tokio::{net::TcpListener, sync::watch};
use tonic::service::interceptor::InterceptedService;

use shared::health::Readiness;
use tonic_health::ServingStatus;

use crate::{
    auth::keep_keys_fresh,
    feed::{self, FeedClient},
    grpc::JobsApi,
    state::AppState,
};

/// The health name of the API.
const JOBS_SERVICE: &str = <JobsServiceServer<JobsApi> as tonic::server::NamedService>::NAME;

/// How often the database is checked for health.
const DATABASE_CHECK_EVERY: Duration = Duration::from_secs(2);

/// Largest request accepted, in bytes: a posting with a long description,
/// comments and questions fits well within it.
const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// Serves until `shutdown` resolves, then stops accepting calls, lets
/// in-flight ones finish (up to `JOBS_SHUTDOWN_GRACE_SECS`) and closes the pool.
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
    let admin = {
        let (metrics, set) = (state.metrics.clone(), state.revocations.clone());
        shared::admin::Admin::start(
            admin,
            Arc::new(move || metrics.render(&set, crate::domain::now())),
        )
    };
    let (health, health_service) = tonic_health::server::health_reporter();
    // Without the auth-service's keys or the database no call can succeed:
    // stay NOT_SERVING (so a load balancer routes elsewhere) until both work.
    let readiness = Readiness::new(health.clone(), JOBS_SERVICE, &["database", "keys"]).await;
    let ready = {
        let (readiness, keys) = (readiness.clone(), state.keys.clone());
        tokio::spawn(async move {
            keys.wait_until_loaded().await;
            readiness.set("keys", true).await;
        })
    };
    let reflection_v1 = shared::server::reflection(JOBS_SERVICE)
        .build_v1()
        .context("reflection v1")?;
    let reflection_v1alpha = shared::server::reflection(JOBS_SERVICE)
        .build_v1alpha()
        .context("reflection v1alpha")?;
    let cors = state.config.cors().context("CORS")?.layer();
    let authenticator = state.authenticator();
    let api = InterceptedService::new(
        JobsServiceServer::new(JobsApi::new(state.clone()))
            .max_decoding_message_size(MAX_REQUEST_BYTES),
        move |request| authenticator.intercept(request),
    );

    let (stop_tx, stop_rx) = watch::channel(false);
    let key_task = (!state.config.static_jwks_configured()).then(|| {
        tokio::spawn(keep_keys_fresh(
            state.keys.clone(),
            state.config.auth_url.clone(),
            state.config.jwks_refresh(),
            state.config.jwks_min_refetch(),
            stop_rx.clone(),
        ))
    });
    let mut background = revocation_tasks(&state, &health, &stop_rx);
    background.push(tokio::spawn(shared::health::watch_database(
        readiness.clone(),
        state.db.clone(),
        DATABASE_CHECK_EVERY,
        stop_rx.clone(),
    )));
    let grace = Duration::from_secs(state.config.shutdown_grace_secs);
    let signal = async move {
        shutdown.await;
        ready.abort();
        readiness.drain().await;
        let _ = stop_tx.send(true);
    };
    let serve = shared::server::builder(state.config.limits())
        .accept_http1(true)
        // Outermost, so browsers' preflights are answered before tonic-web
        // (which refuses an HTTP/1.1 OPTIONS).
        .layer(cors)
        .layer(tonic_web::GrpcWebLayer::new())
        // Inside tonic-web, so grpc-web calls are recorded as plain gRPC;
        // outside the interceptor, so its refusals are recorded too.
        .layer(shared::observe::ObserveLayer::new(
            state.metrics.grpc.clone(),
        ))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(api)
        .serve_with_incoming_shutdown(shared::server::incoming(listener), signal);
    shared::server::serve_with_grace(serve, stop_rx, grace)
        .await
        .context("server")?;
    background.extend(key_task);
    for task in background {
        task.abort();
    }
    state.writer.close().await;
    state.db.close().await;
    admin.stop().await;
    tracing::info!("stopped");
    Ok(())
}

/// The health name that reports the revocation feed's freshness.
pub const FEED_HEALTH_NAME: &str = "jobsearch.jobs.v1.RevocationFeed";

/// Starts following the revocation feed (if credentials are configured),
/// purging expired entries, and reporting the feed's freshness as health.
fn revocation_tasks(
    state: &AppState,
    health: &tonic_health::server::HealthReporter,
    stop: &watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let config = &state.config;
    let Some(secret) = config.service_client_secret.clone() else {
        tracing::warn!(
            "JOBS_SERVICE_CLIENT_SECRET is unset: the revocation feed is off, so revoked \
             tokens stay valid here until they expire"
        );
        return Vec::new();
    };
    let client = FeedClient {
        auth_url: config.auth_url.clone(),
        client_id: config.service_client_id.clone(),
        client_secret: secret,
    };
    let set = state.revocations.clone();
    let max_staleness = i64::try_from(config.revocation_max_staleness_secs).unwrap_or(i64::MAX);
    let reporter = {
        let (health, set, mut stop) = (health.clone(), set.clone(), stop.clone());
        async move {
            let mut tick = tokio::time::interval(Duration::from_millis(200));
            let mut fresh = None;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                let last_contact = set.last_contact();
                let lag = crate::domain::now() - last_contact;
                let now_fresh = lag <= max_staleness;
                if fresh != Some(now_fresh) {
                    // Never in contact is every start's first moment, not
                    // a lag of decades since 1970: no warning for it.
                    if !now_fresh && last_contact == 0 {
                        tracing::info!("the revocation feed has not caught up yet");
                    } else if !now_fresh {
                        tracing::warn!(lag_secs = lag, "the revocation feed is stale");
                    }
                    let status = if now_fresh {
                        ServingStatus::Serving
                    } else {
                        ServingStatus::NotServing
                    };
                    health.set_service_status(FEED_HEALTH_NAME, status).await;
                    fresh = Some(now_fresh);
                }
            }
        }
    };
    vec![
        tokio::spawn(feed::follow(set.clone(), client, stop.clone())),
        tokio::spawn(feed::purge_periodically(set, stop.clone())),
        tokio::spawn(reporter),
    ]
}
