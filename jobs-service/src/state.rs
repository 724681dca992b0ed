//! The one shared state of the service, cloned into every handler: pool,
//! configuration, the secret box and the token keys. Nothing global.

use std::sync::Arc;

use crate::{
    auth::KeyStore,
    config::Config,
    crypto::SecretBox,
    db::{self, Pool},
};

/// Everything a call needs.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Database pool.
    pub db: Pool,
    /// Validated configuration.
    pub config: Arc<Config>,
    /// Seals and opens stored passwords.
    pub secrets: SecretBox,
    /// The auth-service's public keys, for the interceptor.
    pub keys: KeyStore,
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
        let db = db::connect(&config).await?;
        Ok(Self {
            db,
            config: Arc::new(config),
            secrets,
            keys,
        })
    }
}
