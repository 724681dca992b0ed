//! Signing keys: loading or generating the Ed25519 private key, signing
//! access tokens, and publishing the public keys as a JWK set.
//!
//! The key id is the RFC 7638 thumbprint of the public key, so the same key
//! always has the same `kid` on every replica without coordination.

use std::path::Path;

use anyhow::{Context, bail};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::{
    SigningKey, VerifyingKey,
    pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, spki::der::pem::LineEnding},
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::ExposeSecret;
use serde::Serialize;
use sha2::{Digest, Sha256};
use shared::token::{Claims, PublicKey, Verifier};

use crate::config::{Config, Environment};

/// File name of the generated development key inside the data directory.
const DEV_KEY_FILE: &str = "dev-signing-key.pem";

/// A public key as published in the JWK set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedKey {
    /// RFC 7638 thumbprint.
    pub kid: String,
    /// The raw public key, base64url without padding.
    pub x: String,
}

impl PublishedKey {
    fn new(key: &VerifyingKey) -> Self {
        let x = URL_SAFE_NO_PAD.encode(key.as_bytes());
        // RFC 7638: members in lexicographic order, no whitespace.
        let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Self { kid, x }
    }

    /// The key as a JWK JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "x": self.x, "kid": self.kid,
            "alg": "EdDSA", "use": "sig",
        })
    }
}

/// The current signing key and every key still published.
pub struct SigningKeys {
    encoding: EncodingKey,
    /// Current key first, then previous keys.
    published: Vec<PublishedKey>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("published", &self.published)
            .finish_non_exhaustive()
    }
}

impl SigningKeys {
    /// Loads the configured key; in development without one, generates a key
    /// on first start and keeps it in the data directory so restarts don't
    /// log everyone out.
    pub fn load(config: &Config) -> anyhow::Result<Self> {
        let pem = if let Some(pem) = &config.signing_key {
            pem.expose_secret().to_owned()
        } else if let Some(path) = &config.signing_key_file {
            std::fs::read_to_string(path)
                .with_context(|| format!("AUTH_SIGNING_KEY_FILE: cannot read {}", path.display()))?
        } else if config.env == Environment::Development {
            development_key(&config.data_dir)?
        } else {
            bail!("AUTH_SIGNING_KEY or AUTH_SIGNING_KEY_FILE is required in production");
        };
        let previous = match &config.previous_public_keys_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!(
                        "AUTH_PREVIOUS_PUBLIC_KEYS_FILE: cannot read {}",
                        path.display()
                    )
                })?;
                parse_public_keys(&text).context("AUTH_PREVIOUS_PUBLIC_KEYS_FILE")?
            }
            None => Vec::new(),
        };
        Self::from_pem(&pem, &previous).context("signing key")
    }

    /// Builds the key set from a PKCS#8 PEM private key and earlier public keys.
    pub fn from_pem(pem: &str, previous: &[VerifyingKey]) -> anyhow::Result<Self> {
        let signing = SigningKey::from_pkcs8_pem(pem)
            .map_err(|_| anyhow::anyhow!("not an Ed25519 PKCS#8 PEM private key"))?;
        let encoding = EncodingKey::from_ed_pem(pem.as_bytes())
            .map_err(|_| anyhow::anyhow!("not an Ed25519 PKCS#8 PEM private key"))?;
        let mut published = vec![PublishedKey::new(&signing.verifying_key())];
        for key in previous {
            let key = PublishedKey::new(key);
            if !published.contains(&key) {
                published.push(key);
            }
        }
        Ok(Self {
            encoding,
            published,
        })
    }

    /// The key id new tokens are signed with.
    pub fn current_kid(&self) -> &str {
        &self.published[0].kid
    }

    /// Every published key, current first.
    pub fn published(&self) -> &[PublishedKey] {
        &self.published
    }

    /// Signs a token of kind `C` (its `typ` goes in the header).
    pub fn sign<C: Claims + Serialize>(&self, claims: &C) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(C::TYPE.to_owned());
        header.kid = Some(self.current_kid().to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding).context("signing a token")
    }

    /// A verifier of tokens of kind `C` accepting every published key.
    pub fn verifier<C: Claims>(&self, issuer: &str, audience: &str) -> anyhow::Result<Verifier<C>> {
        let keys = self
            .published
            .iter()
            .map(|k| PublicKey::from_jwk_x(k.kid.clone(), &k.x))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Verifier::new(issuer, audience, keys))
    }
}

/// A new random Ed25519 private key as PKCS#8 PEM.
pub fn generate_pem() -> anyhow::Result<String> {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| anyhow::anyhow!("cannot encode key"))?;
    Ok(pem.to_string())
}

fn development_key(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join(DEV_KEY_FILE);
    shared::dev_secret::load_or_create(&path, || generate_pem().map_err(std::io::Error::other))
        .with_context(|| format!("development signing key {}", path.display()))
}

/// Parses every `PUBLIC KEY` PEM block (SPKI, Ed25519) in `text`.
fn parse_public_keys(text: &str) -> anyhow::Result<Vec<VerifyingKey>> {
    const END: &str = "-----END PUBLIC KEY-----";
    text.split_inclusive(END)
        .map(str::trim)
        .filter(|block| block.contains(END))
        .map(|block| {
            VerifyingKey::from_public_key_pem(block)
                .map_err(|_| anyhow::anyhow!("not an Ed25519 public key PEM block"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::pkcs8::EncodePublicKey;

    #[test]
    fn the_kid_is_the_rfc7638_thumbprint() {
        // RFC 8037 appendix A.3: the thumbprint of its example Ed25519 key.
        let x = URL_SAFE_NO_PAD
            .decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
            .unwrap();
        let key = VerifyingKey::from_bytes(&x.try_into().unwrap()).unwrap();
        assert_eq!(
            PublishedKey::new(&key).kid,
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }

    #[test]
    fn previous_public_keys_are_published_after_the_current_one() {
        let current = generate_pem().unwrap();
        let old = SigningKey::from_pkcs8_pem(&generate_pem().unwrap()).unwrap();
        let old_pem = old
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        let previous = parse_public_keys(&format!("{old_pem}\n{old_pem}")).unwrap();
        let keys = SigningKeys::from_pem(&current, &previous).unwrap();
        assert_eq!(keys.published().len(), 2);
        assert_eq!(keys.published()[1], PublishedKey::new(&old.verifying_key()));
    }

    #[test]
    fn a_development_key_survives_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let first = development_key(dir.path()).unwrap();
        let second = development_key(dir.path()).unwrap();
        assert_eq!(first, second);
    }
}
