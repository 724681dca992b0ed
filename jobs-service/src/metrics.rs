//! The jobs-service's metrics, in a registry owned by its state: calls (by
//! the shared layer), access-token verifications by the interceptor (and how
//! many were answered from its cache of verified tokens), and the
//! revocation feed's health, read from the revocation set at scrape time.

use std::{fmt, sync::atomic::AtomicU64};

use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, gauge::Gauge},
};
use shared::metrics::{GrpcMetrics, Registry, TokenVerifications};

use crate::revocation::RevocationSet;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

/// Every series the jobs-service exports.
pub struct Metrics {
    registry: Registry,
    /// Calls by method and code (recorded by `shared::observe`).
    pub grpc: GrpcMetrics,
    /// The interceptor's verifications by outcome.
    pub token_verifications: TokenVerifications,
    /// The interceptor's calls whose token was in its cache.
    pub token_cache_hits: Counter,
    feed_connected: Gauge,
    feed_lag: Gauge<f64, AtomicU64>,
    feed_cursor: Gauge,
    entries: Family<KindLabels, Gauge>,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let grpc = GrpcMetrics::register(&mut registry);
        let token_verifications = TokenVerifications::register(&mut registry);
        let metrics = Self {
            grpc,
            token_verifications,
            token_cache_hits: Counter::default(),
            feed_connected: Gauge::default(),
            feed_lag: Gauge::default(),
            feed_cursor: Gauge::default(),
            entries: Family::default(),
            registry: Registry::default(),
        };
        registry.register(
            "token_cache_hits",
            "Interceptor calls whose access token was found among the tokens verified before \
             under the same keys (no signature check; lifetime and revocation still checked, \
             and the outcome still counted in token_verifications_total)",
            metrics.token_cache_hits.clone(),
        );
        registry.register(
            "revocation_feed_connected",
            "1 while a WatchRevocations stream to the auth-service is open",
            metrics.feed_connected.clone(),
        );
        registry.register_with_unit(
            "revocation_feed_lag",
            "Time since the last revocation event or heartbeat was applied (+Inf before the first)",
            prometheus_client::registry::Unit::Seconds,
            metrics.feed_lag.clone(),
        );
        registry.register(
            "revocation_feed_cursor",
            "Cursor of the newest revocation event applied",
            metrics.feed_cursor.clone(),
        );
        registry.register(
            "revocation_set_entries",
            "Revocations held in memory, by kind (session or user)",
            metrics.entries.clone(),
        );
        Self {
            registry,
            ..metrics
        }
    }
}

impl Metrics {
    /// The OpenMetrics text of every series, with the feed's figures read
    /// from `set` now.
    pub fn render(&self, set: &RevocationSet, now: i64) -> String {
        self.feed_connected.set(i64::from(set.is_connected()));
        let last = set.last_contact();
        #[allow(clippy::cast_precision_loss)] // seconds, far below 2^52
        let lag = if last == 0 {
            f64::INFINITY
        } else {
            (now - last).max(0) as f64
        };
        self.feed_lag.set(lag);
        self.feed_cursor.set(set.cursor());
        let (sessions, users) = set.len();
        for (kind, count) in [("session", sessions), ("user", users)] {
            self.entries
                .get_or_create(&KindLabels { kind })
                .set(i64::try_from(count).unwrap_or(i64::MAX));
        }
        shared::metrics::render(&self.registry)
    }
}
