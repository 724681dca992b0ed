//! The interceptor's memory of access tokens it has already verified, so a
//! client that sends the same token on every call pays the Ed25519 signature
//! check once per key set instead of once per call (it was about a fifth of
//! an authenticated read's CPU).
//!
//! What is cached is only what can never change for the exact same token
//! bytes under the same keys: signature, header, issuer, audience, required
//! claims. So:
//! - the key is the SHA-256 of the token, never the token itself (a dump of
//!   the process memory shows no usable bearer token, and a forged token
//!   cannot collide with a verified one);
//! - one cache belongs to one key set ([`crate::auth::KeyStore`] builds a new
//!   one with every key set it installs), so a token whose key is withdrawn
//!   is never served from a stale entry;
//! - the clock-dependent checks (`exp`, `nbf`, `iat`) run again on every hit,
//!   with the verifier's own leeway;
//! - revocation is not cached at all: the interceptor consults the revocation
//!   set on every call, hit or miss.
//!
//! The bound is an entry count with S3-FIFO eviction (quick_cache); a miss
//! only costs the verification the cache saves.

use std::sync::Arc;

use quick_cache::sync::Cache;
use sha2::{Digest as _, Sha256};
use shared::token::{AccessClaims, LEEWAY_SECONDS, MAX_TOKEN_LEN};

/// How many verified tokens one key set remembers: a power of two, so it
/// divides evenly into quick_cache's power-of-two shards and is an exact
/// bound. At ~0.4 KB an entry that is ~3.5 MB when full: one token per active
/// user of a replica over a token's 15-minute life.
pub const CAPACITY: usize = 8192;

/// Verified tokens, by the SHA-256 of their bytes.
pub struct VerifiedTokens {
    cache: Cache<[u8; 32], Arc<AccessClaims>>,
}

impl std::fmt::Debug for VerifiedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedTokens")
            .field("len", &self.cache.len())
            .finish_non_exhaustive()
    }
}

/// The result of a lookup.
#[derive(Debug)]
pub enum Lookup {
    /// Verified before and still within its lifetime now.
    Hit(Arc<AccessClaims>),
    /// Verified before but outside its lifetime now (and forgotten), with
    /// the reason a full verification would give (`TokenError::reason`).
    Refused(&'static str),
    /// Not known: verify it, then [`VerifiedTokens::remember`] it.
    Miss(TokenDigest),
    /// Too long to be worth hashing; the verifier refuses it anyway.
    Uncacheable,
}

/// The cache key of one token.
#[derive(Debug, Clone, Copy)]
pub struct TokenDigest([u8; 32]);

impl VerifiedTokens {
    /// An empty cache holding at most `capacity` tokens.
    pub fn new(capacity: usize) -> Self {
        Self {
            cache: Cache::new(capacity),
        }
    }

    /// Looks `token` up and re-checks a remembered token's lifetime at `now`.
    pub fn lookup(&self, token: &str, now: i64) -> Lookup {
        if token.len() > MAX_TOKEN_LEN {
            return Lookup::Uncacheable;
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let Some(claims) = self.cache.get(&digest) else {
            return Lookup::Miss(TokenDigest(digest));
        };
        match within_lifetime(&claims, now) {
            Ok(()) => Lookup::Hit(claims),
            Err(reason) => {
                self.cache.remove(&digest);
                Lookup::Refused(reason)
            }
        }
    }

    /// Remembers the claims of a token that has just been fully verified.
    pub fn remember(&self, digest: TokenDigest, claims: Arc<AccessClaims>) {
        self.cache.insert(digest.0, claims);
    }

    /// How many tokens are remembered.
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    /// Whether no token is remembered.
    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }
}

/// The clock-dependent checks of `shared::token::Verifier::verify`, with the
/// same leeway and the same comparisons as jsonwebtoken's (`exp < now -
/// leeway` is expired, `nbf > now + leeway` is not yet valid) and the same
/// `iat` plausibility check, so a hit is refused exactly when a full
/// verification at `now` would be, and counted under the same reason.
fn within_lifetime(claims: &AccessClaims, now: i64) -> Result<(), &'static str> {
    let leeway = i64::try_from(LEEWAY_SECONDS).unwrap_or(i64::MAX);
    if claims.exp < now.saturating_sub(leeway) {
        return Err("expired");
    }
    if claims.nbf > now.saturating_add(leeway) {
        return Err("not_yet_valid");
    }
    if claims.iat > now.saturating_add(leeway) {
        return Err("implausible_claims");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(now: i64) -> AccessClaims {
        AccessClaims {
            iss: "iss".into(),
            aud: "aud".into(),
            sub: "user".into(),
            sid: "session".into(),
            jti: "token".into(),
            iat: now,
            nbf: now,
            exp: now + 900,
            username: "ada".into(),
            staff: false,
        }
    }

    #[test]
    fn the_cache_never_holds_more_than_its_capacity() {
        let cache = VerifiedTokens::new(CAPACITY);
        let claims = Arc::new(claims(1_000));
        for i in 0..3 * CAPACITY {
            let Lookup::Miss(digest) = cache.lookup(&format!("token {i}"), 1_000) else {
                panic!("token {i} was never remembered");
            };
            cache.remember(digest, Arc::clone(&claims));
            assert!(cache.len() <= CAPACITY, "{} entries", cache.len());
        }
        assert!(cache.len() > CAPACITY / 2, "it does fill up");
    }

    #[test]
    fn a_hit_is_refused_exactly_when_a_full_verification_would_be() {
        let now = 1_000;
        let leeway = i64::try_from(LEEWAY_SECONDS).unwrap();
        let claims = claims(now);
        assert_eq!(within_lifetime(&claims, now), Ok(()));
        assert_eq!(within_lifetime(&claims, claims.exp + leeway), Ok(()));
        assert_eq!(
            within_lifetime(&claims, claims.exp + leeway + 1),
            Err("expired")
        );
        assert_eq!(within_lifetime(&claims, claims.nbf - leeway), Ok(()));
        assert_eq!(
            within_lifetime(&claims, claims.nbf - leeway - 1),
            Err("not_yet_valid")
        );
        let issued_later = AccessClaims {
            iat: now + 100,
            ..claims
        };
        assert_eq!(
            within_lifetime(&issued_later, now),
            Err("implausible_claims")
        );
    }

    #[test]
    fn an_oversized_token_is_not_hashed_or_cached() {
        let cache = VerifiedTokens::new(CAPACITY);
        let huge = "a".repeat(MAX_TOKEN_LEN + 1);
        assert!(matches!(cache.lookup(&huge, 0), Lookup::Uncacheable));
    }
}
