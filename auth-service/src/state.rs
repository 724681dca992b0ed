//! The one shared state of the service, cloned into every handler: pool,
//! keys, hasher, policy and configuration. Nothing global.

use std::sync::Arc;

use shared::token::AccessTokenVerifier;

use crate::{
    config::{Config, PASSWORD_MAX_LENGTH},
    db::{self, Pool},
    domain::password_policy::PasswordPolicy,
    keys::SigningKeys,
    password::PasswordHasher,
};

/// Everything a call needs.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Database pool.
    pub db: Pool,
    /// Validated configuration.
    pub config: Arc<Config>,
    /// Signing keys (private key and published public keys).
    pub keys: Arc<SigningKeys>,
    /// Verifier for this service's own access tokens.
    pub verifier: Arc<AccessTokenVerifier>,
    /// Argon2id hasher with bounded concurrency.
    pub hasher: PasswordHasher,
    /// Password rules.
    pub policy: Arc<PasswordPolicy>,
}

impl AppState {
    /// Connects to the database (applying migrations) and loads the keys.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let keys = SigningKeys::load(&config)?;
        let db = db::connect(&config).await?;
        Self::from_parts(config, db, keys)
    }

    /// Assembles the state from an open pool and loaded keys.
    pub fn from_parts(config: Config, db: Pool, keys: SigningKeys) -> anyhow::Result<Self> {
        let verifier = keys.verifier(&config.issuer, &config.audience)?;
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
        Ok(Self {
            db,
            config: Arc::new(config),
            keys: Arc::new(keys),
            verifier: Arc::new(verifier),
            hasher,
            policy: Arc::new(policy),
        })
    }
}
