//! Service credentials: configured service clients exchange their secret for
//! a short-lived service token, which only service-to-service RPCs accept.

use secrecy::{ExposeSecret as _, SecretString};
use shared::token::{ServiceClaims, bearer_token};
use tonic::metadata::MetadataMap;

use super::now;
use crate::{
    error::{Error, Result},
    state::AppState,
};

/// The subject of a service token names the client.
const SUBJECT_PREFIX: &str = "service:";

impl AppState {
    /// Checks a service client's secret and issues a service token with its
    /// expiry. Failures look alike and are throttled like logins.
    pub async fn issue_service_token(
        &self,
        client_id: &str,
        secret: SecretString,
    ) -> Result<(String, i64)> {
        let now = now();
        let account_key = format!("service:{client_id}");
        self.check_throttle(&account_key, now).await?;
        let hash = self.service_clients.get(client_id).cloned();
        let known = hash.is_some() && !secret.expose_secret().is_empty();
        if !(self.hasher.verify(secret, hash).await? && known) {
            self.record_failure(&account_key, now).await?;
            return Err(Error::BadCredentials);
        }
        let exp = now + i64::try_from(self.config.service_token_ttl_secs).unwrap_or(300);
        let claims = ServiceClaims {
            iss: self.config.issuer.clone(),
            aud: self.config.issuer.clone(),
            sub: format!("{SUBJECT_PREFIX}{client_id}"),
            jti: uuid::Uuid::now_v7().to_string(),
            iat: now,
            nbf: now,
            exp,
        };
        tracing::info!(%client_id, "service token issued");
        Ok((self.keys.sign(&claims)?, exp))
    }

    /// Authenticates a service call: a valid service token of a client that
    /// is still configured. Returns the client id.
    pub fn authenticate_service(&self, metadata: &MetadataMap) -> Result<String> {
        let token = bearer_token(metadata).ok_or(Error::BadToken)?;
        let claims = self
            .service_verifier
            .verify(token, now())
            .map_err(|error| {
                tracing::debug!(%error, "service token refused");
                Error::BadToken
            })?;
        let client_id = claims
            .sub
            .strip_prefix(SUBJECT_PREFIX)
            .filter(|id| self.service_clients.contains_key(*id))
            .ok_or(Error::BadToken)?;
        Ok(client_id.to_owned())
    }
}
