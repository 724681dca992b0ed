//! What the fuzz targets share with the seed-corpus generator
//! (`examples/seed_corpus.rs`): a fixed key set, the services' own signer and
//! verifiers built from it, an independent signature check to compare the
//! verifier against, and the request dispatchers, so seeds and targets agree
//! on which leading byte selects which request message.

pub mod auth_requests;
pub mod jobs_requests;

use std::{sync::LazyLock, time::Duration};

use auth_service::keys::SigningKeys;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::{Signature, SigningKey, Verifier as _, VerifyingKey, pkcs8::EncodePrivateKey};
use jobs_service::{
    auth::{Authenticator, KeyStore},
    config::StalePolicy,
    revocation::RevocationSet,
};
use shared::token::{AccessClaims, AccessTokenVerifier, PublicKey, ServiceTokenVerifier};

/// Issuer of the fixture tokens.
pub const ISSUER: &str = "jobsearch-auth";
/// Audience of the fixture access tokens.
pub const AUDIENCE: &str = "jobsearch-api";
/// "Now" for the claims' plausibility check. Seed tokens are issued before
/// it and expire in 2096: jsonwebtoken checks `exp` against the real clock.
pub const NOW: i64 = 1_800_000_000;
/// Issue time of the seed tokens.
pub const ISSUED_AT: i64 = 1_700_000_000;
/// Expiry of the seed tokens.
pub const EXPIRES_AT: i64 = 4_000_000_000;

/// The fixed keys: after one rotation, `current` signs and publishes both
/// its own key and `previous`'s; `stranger` is never published.
#[derive(Debug)]
pub struct Fixture {
    /// Signs with the current key; publishes current and previous.
    pub current: SigningKeys,
    /// Signs with the rotated-out key (tokens it issued still verify).
    pub previous: SigningKeys,
    /// Signs with a key nobody publishes.
    pub stranger: SigningKeys,
    /// The verifier both services build from the published keys.
    pub access: AccessTokenVerifier,
    /// The auth-service's verifier of service tokens.
    pub service: ServiceTokenVerifier,
    /// The jobs-service interceptor with the published keys installed.
    pub interceptor: Authenticator,
    published: Vec<(String, VerifyingKey)>,
}

/// The fixture, built once per process.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: LazyLock<Fixture> = LazyLock::new(Fixture::new);
    &FIXTURE
}

/// An Ed25519 key from a fixed seed, so every run and every seed file agree.
fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn signing_keys(key: &SigningKey, previous: &[VerifyingKey]) -> SigningKeys {
    let pem = key
        .to_pkcs8_pem(Default::default())
        .expect("a fixed Ed25519 key encodes as PKCS#8");
    SigningKeys::from_pem(&pem, previous).expect("the fixed PEM is a valid signing key")
}

impl Fixture {
    fn new() -> Self {
        let (current_key, previous_key) = (key(1), key(2));
        let current = signing_keys(&current_key, &[previous_key.verifying_key()]);
        let previous = signing_keys(&previous_key, &[]);
        let stranger = signing_keys(&key(3), &[]);
        let access = current
            .verifier(ISSUER, AUDIENCE)
            .expect("published keys are valid JWKs");
        let service = current
            .verifier(ISSUER, ISSUER)
            .expect("published keys are valid JWKs");
        let keys = KeyStore::new(ISSUER, AUDIENCE);
        keys.install(
            current
                .published()
                .iter()
                .map(|k| PublicKey::from_jwk_x(k.kid.clone(), &k.x).expect("valid JWK"))
                .collect(),
        );
        let interceptor = Authenticator {
            keys,
            revocations: RevocationSet::default(),
            stale_policy: StalePolicy::Serve,
            max_staleness: Duration::from_secs(3600),
            verifications: Default::default(),
            cache_hits: Default::default(),
        };
        let published = current
            .published()
            .iter()
            .zip([current_key.verifying_key(), previous_key.verifying_key()])
            .map(|(p, k)| (p.kid.clone(), k))
            .collect();
        Self {
            current,
            previous,
            stranger,
            access,
            service,
            interceptor,
            published,
        }
    }

    /// The oracle for "only a correctly signed token verifies", computed
    /// without jsonwebtoken: the header names `alg: EdDSA` and a published
    /// `kid`, and the last segment is that key's Ed25519 signature over
    /// everything before it.
    pub fn correctly_signed(&self, token: &str) -> bool {
        let Some((input, signature)) = token.rsplit_once('.') else {
            return false;
        };
        let Some((header, _)) = input.split_once('.') else {
            return false;
        };
        let Ok(header) = URL_SAFE_NO_PAD.decode(header) else {
            return false;
        };
        let Ok(header) = serde_json::from_slice::<serde_json::Value>(&header) else {
            return false;
        };
        if header["alg"] != "EdDSA" {
            return false;
        }
        let Some((_, key)) = self.published.iter().find(|(kid, _)| header["kid"] == *kid) else {
            return false;
        };
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let Ok(signature) = Signature::from_slice(&signature) else {
            return false;
        };
        key.verify(input.as_bytes(), &signature).is_ok()
    }
}

/// Access-token claims the fixture verifiers accept.
pub fn access_claims() -> AccessClaims {
    AccessClaims {
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        sub: "01936f5e-0000-7000-8000-000000000001".to_owned(),
        sid: "01936f5e-0000-7000-8000-0000000000aa".to_owned(),
        jti: "01936f5e-0000-7000-8000-0000000000bb".to_owned(),
        iat: ISSUED_AT,
        nbf: ISSUED_AT,
        exp: EXPIRES_AT,
        username: "ada".to_owned(),
        staff: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The token target's assertions mean something only if the seed tokens
    // verify and the oracle agrees with the verifier on them.
    #[test]
    fn tokens_of_published_keys_verify_and_the_oracle_agrees() {
        let fx = fixture();
        for keys in [&fx.current, &fx.previous] {
            let token = keys.sign(&access_claims()).unwrap();
            assert_eq!(fx.access.verify(&token, NOW).unwrap(), access_claims());
            assert!(fx.correctly_signed(&token));
            let mut request = tonic::Request::new(());
            let bearer = format!("Bearer {token}").parse().unwrap();
            request.metadata_mut().insert("authorization", bearer);
            assert!(fx.interceptor.intercept(request).is_ok());
        }
    }

    #[test]
    fn the_oracle_refuses_a_stranger_key_and_a_tampered_payload() {
        let fx = fixture();
        let stranger = fx.stranger.sign(&access_claims()).unwrap();
        assert!(fx.access.verify(&stranger, NOW).is_err());
        assert!(!fx.correctly_signed(&stranger));
        let token = fx.current.sign(&access_claims()).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let staff = AccessClaims {
            staff: true,
            ..access_claims()
        };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&staff).unwrap());
        let tampered = [parts[0], &payload, parts[2]].join(".");
        assert!(fx.access.verify(&tampered, NOW).is_err());
        assert!(!fx.correctly_signed(&tampered));
    }
}
