//! Authenticating calls: the interceptor that verifies access tokens with the
//! auth-service's public keys, and the background task that keeps those keys.
//!
//! The interceptor is synchronous and CPU-only: it reads the current verifier
//! from an `ArcSwap` and never awaits the network. A token signed with an
//! unknown `kid` (a key rotation, or a forgery) is refused and wakes the key
//! task, which refetches at most once per `JOBS_JWKS_MIN_REFETCH_SECS`.
//!
//! Each installed key set comes with its own cache of the tokens it has
//! verified (`token_cache`), so repeat calls skip the signature check and a
//! new key set starts with an empty cache.

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;
use arc_swap::ArcSwapOption;
use prometheus_client::metrics::counter::Counter;
use serde::Deserialize;
use shared::{
    proto::jobsearch::auth::v1::{GetJwksRequest, auth_service_client::AuthServiceClient},
    token::{AccessClaims, AccessTokenVerifier, PublicKey, TokenError, bearer_token},
};
use tokio::sync::{Notify, watch};
use tonic::{Request, Status, transport::Endpoint};

use crate::{
    config::{Config, StalePolicy},
    revocation::RevocationSet,
    token_cache::{self, Lookup, VerifiedTokens},
};

/// The authenticated caller, put into request extensions by the interceptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user id (`sub`): every query is filtered by it.
    pub user_id: String,
    /// The session id (`sid`).
    pub session_id: String,
}

/// The caller of a request that passed the interceptor.
pub fn caller<T>(request: &Request<T>) -> Result<Caller, Status> {
    request
        .extensions()
        .get::<Caller>()
        .cloned()
        .ok_or_else(|| Status::unauthenticated("invalid or expired token"))
}

/// One installed key set: its verifier and the tokens it has verified.
#[derive(Debug)]
struct Keys {
    verifier: AccessTokenVerifier,
    verified: VerifiedTokens,
}

/// The current public keys, as a ready verifier, shared by every call.
#[derive(Clone)]
pub struct KeyStore {
    keys: Arc<ArcSwapOption<Keys>>,
    /// Turns true once keys are installed (health waits for it).
    loaded: watch::Sender<bool>,
    unknown_kid: Arc<Notify>,
    issuer: Arc<str>,
    audience: Arc<str>,
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore")
            .field("has_keys", &self.has_keys())
            .finish_non_exhaustive()
    }
}

impl KeyStore {
    /// An empty store accepting tokens for `issuer` and `audience` once keys arrive.
    pub fn new(issuer: &str, audience: &str) -> Self {
        Self {
            keys: Arc::new(ArcSwapOption::empty()),
            loaded: watch::Sender::new(false),
            unknown_kid: Arc::new(Notify::new()),
            issuer: issuer.into(),
            audience: audience.into(),
        }
    }

    /// Replaces the accepted keys, and with them the cache of verified
    /// tokens: a token is served from the cache only under the very key set
    /// that verified it.
    pub fn install(&self, keys: Vec<PublicKey>) {
        let verifier = AccessTokenVerifier::new(&self.issuer, &self.audience, keys);
        self.keys.store(Some(Arc::new(Keys {
            verifier,
            verified: VerifiedTokens::new(token_cache::CAPACITY),
        })));
        self.loaded.send_replace(true);
    }

    /// Resolves once keys have been installed.
    pub async fn wait_until_loaded(&self) {
        let _ = self.loaded.subscribe().wait_for(|loaded| *loaded).await;
    }

    /// Whether any keys have been loaded.
    pub fn has_keys(&self) -> bool {
        self.keys.load().is_some()
    }

    /// The current key set, if keys are loaded.
    fn current(&self) -> Option<Arc<Keys>> {
        self.keys.load_full()
    }
}

/// The interceptor: verifies the bearer token with the current keys, refuses
/// revoked sessions, and inserts the [`Caller`]. CPU and memory only.
#[derive(Debug, Clone)]
pub struct Authenticator {
    /// The token keys.
    pub keys: KeyStore,
    /// Revoked sessions and users.
    pub revocations: RevocationSet,
    /// Outcomes counted for metrics (every call, cached or not).
    pub verifications: shared::metrics::TokenVerifications,
    /// Calls whose token was found in the cache of verified tokens.
    pub cache_hits: Counter,
    /// What to do while the revocation feed is stale.
    pub stale_policy: StalePolicy,
    /// How long the feed may be silent before it is stale.
    pub max_staleness: Duration,
}

impl Authenticator {
    /// Checks one call.
    pub fn intercept(&self, request: Request<()>) -> Result<Request<()>, Status> {
        self.intercept_at(request, time::OffsetDateTime::now_utc().unix_timestamp())
    }

    /// Checks one call as of `now` (Unix seconds).
    fn intercept_at(&self, mut request: Request<()>, now: i64) -> Result<Request<()>, Status> {
        let token = bearer_token(request.metadata()).ok_or_else(|| self.refused("missing"))?;
        let Some(keys) = self.keys.current() else {
            self.verifications.record("no_keys");
            return Err(Status::unavailable("signing keys not loaded yet"));
        };
        let claims = self.verify(&keys, token, now)?;
        // Never cached: a revocation takes effect on the next call.
        if self.revocations.is_revoked(&claims) {
            tracing::debug!(session_id = %claims.sid, "revoked token refused");
            return Err(self.refused("revoked"));
        }
        if self
            .revocations
            .refused_as_stale(&claims, self.stale_policy, self.max_staleness, now)
        {
            tracing::debug!("token refused: the revocation feed is stale");
            return Err(self.refused("stale_feed"));
        }
        self.verifications.record("ok");
        request.extensions_mut().insert(Caller {
            user_id: claims.sub.clone(),
            session_id: claims.sid.clone(),
        });
        Ok(request)
    }

    /// The token's claims, from the key set's cache or a full verification
    /// (whose success is then cached).
    fn verify(&self, keys: &Keys, token: &str, now: i64) -> Result<Arc<AccessClaims>, Status> {
        let digest = match keys.verified.lookup(token, now) {
            Lookup::Hit(claims) => {
                self.cache_hits.inc();
                return Ok(claims);
            }
            Lookup::Refused(reason) => {
                self.cache_hits.inc();
                tracing::debug!(reason, "cached token refused");
                return Err(self.refused(reason));
            }
            Lookup::Miss(digest) => Some(digest),
            Lookup::Uncacheable => None,
        };
        let claims = keys.verifier.verify(token, now).map_err(|error| {
            if matches!(error, TokenError::UnknownKey) {
                self.keys.unknown_kid.notify_one();
            }
            tracing::debug!(%error, "token refused");
            self.refused(error.reason())
        })?;
        let claims = Arc::new(claims);
        if let Some(digest) = digest {
            keys.verified.remember(digest, Arc::clone(&claims));
        }
        Ok(claims)
    }

    /// Counts a refusal and returns the one answer every refusal gets.
    fn refused(&self, outcome: &'static str) -> Status {
        self.verifications.record(outcome);
        Status::unauthenticated("invalid or expired token")
    }
}

/// A JWK set as JSON (`{"keys": [...]}`), for statically configured keys.
#[derive(Debug, Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Debug, Deserialize)]
struct Jwk {
    kty: String,
    crv: String,
    x: String,
    kid: String,
}

/// Keeps only Ed25519 keys; anything else could never verify our tokens.
fn ed25519_keys<'a>(
    keys: impl IntoIterator<Item = (&'a str, &'a str, &'a str, &'a str)>,
) -> anyhow::Result<Vec<PublicKey>> {
    keys.into_iter()
        .filter(|(kty, crv, _, _)| *kty == "OKP" && *crv == "Ed25519")
        .map(|(_, _, kid, x)| PublicKey::from_jwk_x(kid, x).context("invalid Ed25519 JWK"))
        .collect()
}

/// Parses a JWK set document.
pub fn parse_jwks(json: &str) -> anyhow::Result<Vec<PublicKey>> {
    let set: JwkSet = serde_json::from_str(json).context("not a JWK set")?;
    let keys = ed25519_keys(
        set.keys
            .iter()
            .map(|k| (k.kty.as_str(), k.crv.as_str(), k.kid.as_str(), k.x.as_str())),
    )?;
    anyhow::ensure!(!keys.is_empty(), "the JWK set has no Ed25519 key");
    Ok(keys)
}

/// Loads statically configured keys, if any (`JOBS_JWKS` / `JOBS_JWKS_FILE`).
pub fn static_keys(config: &Config) -> anyhow::Result<Option<Vec<PublicKey>>> {
    let json = match (&config.jwks, &config.jwks_file) {
        (Some(json), _) => json.clone(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .with_context(|| format!("JOBS_JWKS_FILE: cannot read {}", path.display()))?,
        (None, None) => return Ok(None),
    };
    parse_jwks(&json).context("JOBS_JWKS").map(Some)
}

/// Fetches the keys from the auth-service now and then: every
/// `refresh` period, soon after an unknown `kid` (at most once per
/// `min_refetch`), and with growing retries while it has none.
pub async fn keep_keys_fresh(
    store: KeyStore,
    auth_url: String,
    refresh: Duration,
    min_refetch: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let client = match Endpoint::from_shared(auth_url) {
        Ok(endpoint) => AuthServiceClient::new(
            endpoint
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(5))
                .connect_lazy(),
        ),
        Err(error) => {
            tracing::error!(%error, "JOBS_AUTH_URL is not a valid endpoint");
            return;
        }
    };
    let mut retry = Duration::from_millis(200);
    loop {
        let wait = match fetch(client.clone()).await {
            Ok(keys) => {
                tracing::debug!(count = keys.len(), "signing keys refreshed");
                store.install(keys);
                retry = Duration::from_millis(200);
                refresh
            }
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), "cannot fetch signing keys; retrying");
                retry = (retry * 2).min(Duration::from_secs(30));
                if store.has_keys() {
                    retry.max(min_refetch)
                } else {
                    retry
                }
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = store.unknown_kid.notified() => {
                // Rate limit: an attacker can send unknown kids at will.
                tokio::time::sleep(min_refetch).await;
            }
            () = async { let _ = stop.wait_for(|stopped| *stopped).await; } => return,
        }
    }
}

/// One `GetJwks`, in a span of its own whose trace context travels with the
/// call (so a trace shows the auth-service's side as its child).
#[tracing::instrument(name = "fetch_jwks", skip_all)]
async fn fetch(
    mut client: AuthServiceClient<tonic::transport::Channel>,
) -> anyhow::Result<Vec<PublicKey>> {
    let jwks = client
        .get_jwks(shared::otel::traced(GetJwksRequest {}))
        .await
        .context("GetJwks")?
        .into_inner();
    ed25519_keys(
        jwks.keys
            .iter()
            .map(|k| (k.kty.as_str(), k.crv.as_str(), k.kid.as_str(), k.x.as_str())),
    )
}

#[cfg(test)]
mod cache_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_without_keys_are_unavailable_and_without_a_token_unauthenticated() {
        let store = Authenticator {
            keys: KeyStore::new("iss", "aud"),
            revocations: RevocationSet::default(),
            verifications: Default::default(),
            cache_hits: Counter::default(),
            stale_policy: StalePolicy::Serve,
            max_staleness: Duration::from_secs(30),
        };
        let status = store.intercept(Request::new(())).unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated);
        let mut request = Request::new(());
        request
            .metadata_mut()
            .insert("authorization", "Bearer a.b.c".parse().unwrap());
        assert_eq!(
            store.intercept(request).unwrap_err().code(),
            tonic::Code::Unavailable
        );
    }

    #[test]
    fn a_jwk_set_needs_an_ed25519_key() {
        assert!(parse_jwks(r#"{"keys":[]}"#).is_err());
        assert!(parse_jwks(r#"{"keys":[{"kty":"RSA","crv":"","x":"","kid":"k"}]}"#).is_err());
        let keys = parse_jwks(
            r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#,
        )
        .unwrap();
        assert_eq!(keys[0].kid, "k1");
    }
}
