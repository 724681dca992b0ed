//! The one shared state of the service, cloned into every handler: pool,
//! configuration, the secret box and the token keys. Nothing global.

use std::sync::Arc;

use crate::{
    auth::KeyStore,
    config::Config,
    crypto::SecretBox,
    db::{self, Pool, search::Index},
    metrics::Metrics,
    revocation::RevocationSet,
};

/// Everything a call needs.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Database pool for reads.
    pub db: Pool,
    /// Database pool for writes: every transaction or statement that
    /// writes goes through it (one connection on SQLite: see
    /// `shared::db::Pools`).
    pub writer: Pool,
    /// The full-text search index of the pool's backend.
    pub search: Index,
    /// Validated configuration.
    pub config: Arc<Config>,
    /// Seals and opens stored passwords.
    pub secrets: SecretBox,
    /// The auth-service's public keys, for the interceptor.
    pub keys: KeyStore,
    /// Revoked sessions and users, kept fresh by the feed task.
    pub revocations: RevocationSet,
    /// This service's metrics registry.
    pub metrics: Arc<Metrics>,
}

impl AppState {
    /// Connects to the database (applying migrations), loads the encryption
    /// key and any statically configured token keys.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let secrets = SecretBox::load(&config)?;
        let keys = KeyStore::new(&config.token_issuer, &config.token_audience);
        if let Some(static_keys) = crate::auth::static_keys(&config)? {
            keys.install(static_keys);
        }
        let pools = db::connect(&config).await?;
        // After the portable migrations: the one backend-specific schema.
        let search = Index::install(&pools.writer).await?;
        Ok(Self {
            db: pools.reader,
            writer: pools.writer,
            search,
            config: Arc::new(config),
            secrets,
            keys,
            revocations: RevocationSet::default(),
            metrics: Arc::new(Metrics::default()),
        })
    }
}

impl AppState {
    /// The interceptor for this state.
    pub fn authenticator(&self) -> crate::auth::Authenticator {
        crate::auth::Authenticator {
            keys: self.keys.clone(),
            revocations: self.revocations.clone(),
            verifications: self.metrics.token_verifications.clone(),
            cache_hits: self.metrics.token_cache_hits.clone(),
            stale_policy: self.config.revocation_stale_policy,
            max_staleness: std::time::Duration::from_secs(
                self.config.revocation_max_staleness_secs,
            ),
        }
    }
}
