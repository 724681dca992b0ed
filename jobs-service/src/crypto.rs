//! Secrets at rest: the passwords users store for job sites and postings are
//! sealed with AES-256-GCM before they reach the database.
//!
//! Stored form: `v1.` + base64url(nonce ‖ ciphertext ‖ tag), with a random
//! 96-bit nonce per value. The row's identity (kind, owner, id) is bound in
//! as associated data, so a ciphertext copied into another row or another
//! user's record fails to open instead of leaking. The `v1.` prefix leaves
//! room for key rotation. An empty password is stored as the empty string.

use aes_gcm::{
    Aes256Gcm, Key, Nonce,
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
};
use anyhow::{Context, anyhow, bail};
use base64::{
    Engine as _,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use rand::RngCore as _;
use secrecy::ExposeSecret;

use crate::config::{Config, Environment};

const PREFIX: &str = "v1.";
const NONCE_LEN: usize = 12;
/// File name of the generated development key inside the data directory.
const DEV_KEY_FILE: &str = "dev-encryption-key";

/// Seals and opens stored secrets with one AES-256-GCM key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox")
    }
}

/// Which stored value a secret belongs to; bound into the ciphertext.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    /// The kind of record, e.g. `job_site`.
    pub kind: &'static str,
    /// The owning user.
    pub user_id: &'a str,
    /// The record's id.
    pub id: &'a str,
}

impl Owner<'_> {
    fn aad(&self) -> String {
        format!("{}:{}:{}", self.kind, self.user_id, self.id)
    }
}

impl SecretBox {
    /// Loads the configured key; in development without one, generates a key
    /// and keeps it in the data directory.
    pub fn load(config: &Config) -> anyhow::Result<Self> {
        let encoded = if let Some(key) = &config.encryption_key {
            key.expose_secret().to_owned()
        } else if let Some(path) = &config.encryption_key_file {
            std::fs::read_to_string(path).with_context(|| {
                format!("JOBS_ENCRYPTION_KEY_FILE: cannot read {}", path.display())
            })?
        } else if config.env == Environment::Development {
            let path = config.data_dir.join(DEV_KEY_FILE);
            shared::dev_secret::load_or_create(&path, || Ok(generate_key()))
                .with_context(|| format!("development encryption key {}", path.display()))?
        } else {
            bail!("JOBS_ENCRYPTION_KEY or JOBS_ENCRYPTION_KEY_FILE is required in production");
        };
        Self::from_base64(encoded.trim()).context("JOBS_ENCRYPTION_KEY")
    }

    /// A box for a base64-encoded 32-byte key.
    pub fn from_base64(encoded: &str) -> anyhow::Result<Self> {
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| anyhow!("must be base64 of 32 random bytes"))?;
        if bytes.len() != 32 {
            bail!(
                "must be base64 of 32 random bytes, got {} bytes",
                bytes.len()
            );
        }
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes));
        Ok(Self { cipher })
    }

    /// Seals `plaintext` for `owner`.
    pub fn seal(&self, plaintext: &str, owner: Owner<'_>) -> anyhow::Result<String> {
        if plaintext.is_empty() {
            return Ok(String::new());
        }
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = owner.aad();
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| anyhow!("encryption failed"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Opens a value sealed for `owner`.
    pub fn open(&self, stored: &str, owner: Owner<'_>) -> anyhow::Result<String> {
        if stored.is_empty() {
            return Ok(String::new());
        }
        let encoded = stored
            .strip_prefix(PREFIX)
            .ok_or_else(|| anyhow!("stored secret has an unknown format"))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| anyhow!("stored secret is not base64"))?;
        if bytes.len() < NONCE_LEN {
            bail!("stored secret is truncated");
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let aad = owner.aad();
        let plaintext = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| anyhow!("stored secret does not open with this key and owner"))?;
        String::from_utf8(plaintext).context("stored secret is not UTF-8")
    }
}

/// A new random key, base64-encoded (for `JOBS_ENCRYPTION_KEY`).
pub fn generate_key() -> String {
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    STANDARD.encode(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(id: &str) -> Owner<'_> {
        Owner {
            kind: "job_site",
            user_id: "u1",
            id,
        }
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_owner_and_is_not_plaintext() {
        let sbox = SecretBox::from_base64(&generate_key()).unwrap();
        let sealed = sbox.seal("hunter2-hunter2", owner("a")).unwrap();
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("hunter2"));
        assert_eq!(sbox.open(&sealed, owner("a")).unwrap(), "hunter2-hunter2");
        assert!(sbox.open(&sealed, owner("b")).is_err());
        let other = SecretBox::from_base64(&generate_key()).unwrap();
        assert!(other.open(&sealed, owner("a")).is_err());
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts() {
        let sbox = SecretBox::from_base64(&generate_key()).unwrap();
        assert_ne!(
            sbox.seal("same", owner("a")).unwrap(),
            sbox.seal("same", owner("a")).unwrap()
        );
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert!(SecretBox::from_base64("c2hvcnQ=").is_err());
        assert!(SecretBox::from_base64("not base64!").is_err());
    }

    #[test]
    fn empty_secrets_stay_empty() {
        let sbox = SecretBox::from_base64(&generate_key()).unwrap();
        assert_eq!(sbox.seal("", owner("a")).unwrap(), "");
        assert_eq!(sbox.open("", owner("a")).unwrap(), "");
    }
}
