//! Argon2id password hashing, off the async workers and bounded.
//!
//! Hashing costs tens of milliseconds of CPU and ~19 MiB by design. It runs on
//! a pool of its own with one thread per permit, behind a semaphore sized to
//! the CPUs, so a login storm queues for hashing instead of starving every
//! other RPC, and hashing never spreads over tokio's (up to 512) blocking
//! threads.
//!
//! Known: with glibc, each hash allocating and freeing its 19 MiB leaves the
//! heap fragmented, and the process stays at ~190-230 MB resident after a
//! login burst (docs/soak.md; musl, in the images, unmaps large blocks).
//! Reusing one block buffer per hashing thread would bound it at N x 19 MiB.

use std::sync::Arc;

use anyhow::Context;
use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version,
    password_hash::SaltString,
};
use prometheus_client::metrics::gauge::Gauge;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::error::Result;

/// Hashes and verifies passwords with argon2id.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// `concurrency` threads that do nothing but hash.
    pool: Arc<rayon::ThreadPool>,
    concurrency: usize,
    /// Hashes waiting for a permit, and hashes running (the queue depth is
    /// their sum): what to watch to size `AUTH_HASHING_CONCURRENCY`.
    waiting: Gauge,
    running: Gauge,
    /// Verified against when the account does not exist, so that an unknown
    /// username costs the same time as a wrong password.
    dummy_hash: Arc<str>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .field("available_permits", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// A hasher with the given argon2id parameters and at most `concurrency`
    /// hashes at once.
    pub fn new(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
        concurrency: usize,
    ) -> anyhow::Result<Self> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        let dummy_hash = hash_blocking(&params, "dummy password never matched")?.into();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(concurrency.max(1))
            .thread_name(|i| format!("argon2-{i}"))
            // A panicking hash fails its call (its answer channel closes)
            // instead of rayon's default, aborting the process.
            .panic_handler(|_| tracing::error!("a password hash panicked"))
            .build()
            .context("argon2 thread pool")?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(concurrency)),
            pool: Arc::new(pool),
            concurrency,
            waiting: Gauge::default(),
            running: Gauge::default(),
            dummy_hash,
        })
    }

    /// Hashes a password into a PHC string (`$argon2id$v=19$m=...`).
    pub async fn hash(&self, password: SecretString) -> Result<String> {
        let params = self.params.clone();
        self.run(move || hash_blocking(&params, password.expose_secret()))
            .await
    }

    /// Checks `password` against `hash`; with no hash (unknown account) it
    /// spends the same effort on the dummy hash and returns `false`.
    pub async fn verify(&self, password: SecretString, hash: Option<String>) -> Result<bool> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.to_string());
        let matches = self
            .run(move || verify_blocking(&hash, password.expose_secret()))
            .await?;
        Ok(known && matches)
    }

    /// Whether `hash` was made with other parameters than the configured ones
    /// (and should be replaced on the next successful login).
    pub fn needs_rehash(&self, hash: &str) -> bool {
        match PasswordHash::new(hash).and_then(|h| Params::try_from(&h)) {
            Ok(params) => {
                params.m_cost() != self.params.m_cost()
                    || params.t_cost() != self.params.t_cost()
                    || params.p_cost() != self.params.p_cost()
            }
            Err(_) => true,
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T> {
        let waiting = Counted::new(&self.waiting);
        let _permit = self
            .permits
            .acquire()
            .await
            .context("hashing semaphore closed")?;
        drop(waiting);
        let _running = Counted::new(&self.running);
        let (answer, result) = tokio::sync::oneshot::channel();
        self.pool.spawn(move || {
            let _ = answer.send(work());
        });
        Ok(result.await.context("hashing task failed")??)
    }
}

impl PasswordHasher {
    /// Registers the queue gauges in `registry`.
    pub fn register_metrics(&self, registry: &mut prometheus_client::registry::Registry) {
        registry.register(
            "argon2_hashes_waiting",
            "Password hashes waiting for a hashing permit",
            self.waiting.clone(),
        );
        registry.register(
            "argon2_hashes_running",
            "Password hashes being computed",
            self.running.clone(),
        );
        let limit = Gauge::<i64>::default();
        limit.set(i64::try_from(self.concurrency).unwrap_or(i64::MAX));
        registry.register(
            "argon2_hashes_max_concurrent",
            "Password hashes computed at once at most (AUTH_HASHING_CONCURRENCY)",
            limit,
        );
    }
}

/// Counts one hash in a gauge while alive, so that a cancelled call (the
/// client went away) leaves the gauge right.
struct Counted<'a>(&'a Gauge);

impl<'a> Counted<'a> {
    fn new(gauge: &'a Gauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

fn argon2(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_blocking(params: &Params, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let hash = argon2(params)
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    Ok(hash.to_string())
}

fn verify_blocking(hash: &str, password: &str) -> anyhow::Result<bool> {
    let parsed =
        PasswordHash::new(hash).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
    // The parameters come from the stored hash, so old hashes keep verifying
    // after the configured cost changes.
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(anyhow::anyhow!("verification failed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> PasswordHasher {
        PasswordHasher::new(1024, 1, 1, 2).unwrap()
    }

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let hasher = hasher();
        let hash = hasher.hash("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            hasher
                .verify("correct horse".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse".into(), Some(hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        let hasher = hasher();
        assert!(
            !hasher
                .verify("dummy password never matched".into(), None)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn hashes_with_other_parameters_need_rehashing() {
        let weak = hasher();
        let hash = weak.hash("pw".into()).await.unwrap();
        assert!(!weak.needs_rehash(&hash));
        let strong = PasswordHasher::new(2048, 2, 1, 2).unwrap();
        assert!(strong.needs_rehash(&hash));
    }
}
