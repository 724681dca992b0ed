//! Readiness as `grpc.health.v1` reports it: a service is SERVING only while
//! every condition it depends on holds (the database answers; for the
//! jobs-service, the token keys are loaded) and it is not draining. The
//! overall status (service name "", what load balancers probe by default)
//! follows the same rule.

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use sqlx::AnyPool;
use tokio::sync::{Mutex, watch};
use tonic_health::{ServingStatus, server::HealthReporter};

/// One service's readiness, published through the health reporter.
#[derive(Clone)]
pub struct Readiness {
    reporter: HealthReporter,
    service: &'static str,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for Readiness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readiness")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct State {
    failing: BTreeSet<&'static str>,
    draining: bool,
    published: Option<bool>,
}

impl Readiness {
    /// Readiness of `service` (its full gRPC name), with conditions that
    /// start out failing until first reported healthy.
    pub async fn new(
        reporter: HealthReporter,
        service: &'static str,
        conditions: &[&'static str],
    ) -> Self {
        let readiness = Self {
            reporter,
            service,
            state: Arc::new(Mutex::new(State {
                failing: conditions.iter().copied().collect(),
                ..State::default()
            })),
        };
        readiness.publish(&mut *readiness.state.lock().await).await;
        readiness
    }

    /// Records whether `condition` holds now.
    pub async fn set(&self, condition: &'static str, ok: bool) {
        let mut state = self.state.lock().await;
        let changed = if ok {
            state.failing.remove(condition)
        } else {
            state.failing.insert(condition)
        };
        if changed {
            tracing::info!(service = self.service, condition, ok, "readiness changed");
        }
        self.publish(&mut state).await;
    }

    /// Stops serving for good (the process is shutting down).
    pub async fn drain(&self) {
        let mut state = self.state.lock().await;
        state.draining = true;
        self.publish(&mut state).await;
    }

    async fn publish(&self, state: &mut State) {
        let serving = !state.draining && state.failing.is_empty();
        if state.published == Some(serving) {
            return;
        }
        state.published = Some(serving);
        let status = if serving {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        };
        self.reporter.set_service_status(self.service, status).await;
        self.reporter.set_service_status("", status).await;
    }
}

/// Checks the database every `every` (a connection within the pool's
/// acquire timeout and `SELECT 1`) and reports it as the `database`
/// condition, until `stop` turns true.
pub async fn watch_database(
    readiness: Readiness,
    pool: AnyPool,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        let ok = sqlx::query("SELECT 1").execute(&pool).await.is_ok();
        if !ok {
            tracing::warn!("database check failed");
        }
        readiness.set("database", ok).await;
    }
}
