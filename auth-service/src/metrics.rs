//! The auth-service's metrics, in a registry owned by its state: calls (by
//! the shared layer), access-token verifications by outcome, and the argon2
//! queue (hashes waiting for a permit and hashes running).

use std::fmt;

use shared::metrics::{GrpcMetrics, Registry, TokenVerifications};

use crate::password::PasswordHasher;

/// Every series the auth-service exports.
pub struct Metrics {
    registry: Registry,
    /// Calls by method and code (recorded by `shared::observe`).
    pub grpc: GrpcMetrics,
    /// Access-token verifications (`GetMe`, `VerifyToken`, ...) by outcome.
    pub token_verifications: TokenVerifications,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// A fresh registry with every series, reading the queue of `hasher`.
    pub fn new(hasher: &PasswordHasher) -> Self {
        let mut registry = Registry::default();
        let grpc = GrpcMetrics::register(&mut registry);
        let token_verifications = TokenVerifications::register(&mut registry);
        hasher.register_metrics(&mut registry);
        Self {
            registry,
            grpc,
            token_verifications,
        }
    }

    /// The OpenMetrics text of every series.
    pub fn render(&self) -> String {
        shared::metrics::render(&self.registry)
    }
}
