//! The one shared state of the service, cloned into every handler: pool,
//! keys, hasher, policy and configuration. Nothing global.

use std::collections::HashMap;
use std::sync::Arc;

use shared::token::{AccessTokenVerifier, ServiceTokenVerifier};

use crate::{
    config::{Config, PASSWORD_MAX_LENGTH},
    db::{self, Pool, Pools},
    domain::password_policy::PasswordPolicy,
    feed::RevocationFeed,
    keys::SigningKeys,
    metrics::Metrics,
    password::PasswordHasher,
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
    /// Validated configuration.
    pub config: Arc<Config>,
    /// Signing keys (private key and published public keys).
    pub keys: Arc<SigningKeys>,
    /// Verifier for this service's own access tokens.
    pub verifier: Arc<AccessTokenVerifier>,
    /// Verifier for service tokens (audience: this service's issuer).
    pub service_verifier: Arc<ServiceTokenVerifier>,
    /// Configured service clients: id → argon2 hash of the secret.
    pub service_clients: Arc<HashMap<String, String>>,
    /// Argon2id hasher with bounded concurrency.
    pub hasher: PasswordHasher,
    /// Password rules.
    pub policy: Arc<PasswordPolicy>,
    /// Wakes revocation watchers.
    pub feed: RevocationFeed,
    /// This service's metrics registry.
    pub metrics: Arc<Metrics>,
}

impl AppState {
    /// The database URL when it is PostgreSQL (for LISTEN), else `None`.
    pub fn postgres_url(&self) -> Option<String> {
        use secrecy::ExposeSecret as _;
        let url = self.config.database_url.as_ref()?.expose_secret();
        (url.starts_with("postgres:") || url.starts_with("postgresql:")).then(|| url.to_owned())
    }

    /// Connects to the database (applying migrations) and loads the keys.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let keys = SigningKeys::load(&config)?;
        let pools = db::connect(&config).await?;
        Self::from_parts(config, pools, keys)
    }

    /// Assembles the state from open pools and loaded keys.
    pub fn from_parts(config: Config, pools: Pools, keys: SigningKeys) -> anyhow::Result<Self> {
        let verifier = keys.verifier(&config.issuer, &config.audience)?;
        let service_verifier = keys.verifier(&config.issuer, &config.issuer)?;
        let service_clients = config.service_clients()?;
        let hasher = PasswordHasher::new(
            config.argon2_memory_kib,
            config.argon2_iterations,
            config.argon2_parallelism,
            config.hashing_concurrency(),
        )?;
        let policy = PasswordPolicy::new(
            config.password_min_length,
            PASSWORD_MAX_LENGTH,
            config.enable_strong_passwords,
        );
        let metrics = Arc::new(Metrics::new(&hasher));
        Ok(Self {
            metrics,
            db: pools.reader,
            writer: pools.writer,
            config: Arc::new(config),
            keys: Arc::new(keys),
            verifier: Arc::new(verifier),
            service_verifier: Arc::new(service_verifier),
            service_clients: Arc::new(service_clients),
            hasher,
            policy: Arc::new(policy),
            feed: RevocationFeed::default(),
        })
    }
}
