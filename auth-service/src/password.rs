//! Argon2id password hashing, off the async workers and bounded.
//!
//! Hashing costs tens of milliseconds of CPU and ~19 MiB by design. It runs on
//! a pool of its own with one thread per permit, behind a semaphore sized to
//! the CPUs, so a login storm queues for hashing instead of starving every
//! other RPC. Each hashing thread keeps its argon2 memory and reuses it for
//! every hash: allocating and freeing 19 MiB per hash left glibc's heap
//! fragmented at 190-230 MB resident after a login burst (the soak test,
//! scripts/soak.sh); reused, it is N x 19 MiB for N hashing threads.
//!
//! The hashing threads also run at a lower scheduling priority (nice
//! [`HASHING_NICE`] on Linux): alone they still take whole cores, but
//! when a login storm and other calls want the same cores, the other calls
//! (token refreshes, token checks, and on a shared host the jobs-service)
//! go first, and only logins wait longer.

use std::{cell::RefCell, sync::Arc};

use anyhow::Context;
use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::{Output, ParamsString, Salt, SaltString},
};
use prometheus_client::metrics::gauge::Gauge;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::error::Result;

/// The hashing threads' nice value (0 is the default, 19 the lowest).
pub const HASHING_NICE: i32 = 10;

/// Lowers the calling (hashing) thread's priority to [`HASHING_NICE`]. On
/// Linux the nice value is per thread, so only this thread yields.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    if let Err(error) =
        rustix::process::setpriority_process(Some(rustix::thread::gettid()), HASHING_NICE)
    {
        tracing::warn!(%error, "could not lower a hashing thread's priority");
    }
}

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
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(concurrency.max(1))
            .thread_name(|i| format!("argon2-{i}"))
            .start_handler(|_| lower_priority())
            // A panicking hash fails its call (its answer channel closes)
            // instead of rayon's default, aborting the process.
            .panic_handler(|_| tracing::error!("a password hash panicked"))
            .build()
            .context("argon2 thread pool")?;
        let dummy_hash = dummy_hash(&params)?.into();
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

thread_local! {
    /// This thread's argon2 memory, grown to the largest cost seen and
    /// reused by every hash it computes.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// argon2's own `hash_password` computation, in this thread's memory.
fn compute(
    argon2: &Argon2<'_>,
    password: &str,
    salt: Salt<'_>,
    output_len: usize,
) -> anyhow::Result<Output> {
    let mut salt_buf = [0u8; 64];
    let salt = salt
        .decode_b64(&mut salt_buf)
        .map_err(|e| anyhow::anyhow!("salt unreadable: {e}"))?;
    let count = argon2.params().block_count();
    BLOCKS.with_borrow_mut(|blocks| {
        if blocks.len() < count {
            blocks.resize(count, Block::default());
        }
        Output::init_with(output_len, |out| {
            argon2
                .hash_password_into_with_memory(
                    password.as_bytes(),
                    salt,
                    out,
                    &mut blocks[..count],
                )
                .map_err(Into::into)
        })
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
}

fn hash_blocking(params: &Params, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let output = compute(
        &argon2(params),
        password,
        salt.as_salt(),
        Params::DEFAULT_OUTPUT_LEN,
    )?;
    phc(params, &salt, output)
}

/// A hash in the configured parameters with a random salt and a random
/// output, made without hashing: verifying against it costs exactly what
/// verifying a real hash costs, and no password matches it (argon2 would
/// have to produce 32 given random bytes). Computing a real one at start
/// cost a full hash and, in the hashing thread that ran it, argon2's memory
/// held from then on: the idle service's largest allocation.
fn dummy_hash(params: &Params) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut bytes = [0u8; Params::DEFAULT_OUTPUT_LEN];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let output = Output::new(&bytes).map_err(|e| anyhow::anyhow!("dummy hash: {e}"))?;
    phc(params, &salt, output)
}

/// The PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`).
fn phc(params: &Params, salt: &SaltString, output: Output) -> anyhow::Result<String> {
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| anyhow::anyhow!("parameters: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

fn verify_blocking(hash: &str, password: &str) -> anyhow::Result<bool> {
    let unreadable = |e| anyhow::anyhow!("stored hash unreadable: {e}");
    let parsed = PasswordHash::new(hash).map_err(unreadable)?;
    // Algorithm, version and parameters come from the stored hash, so old
    // hashes keep verifying after the configured cost changes.
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(unreadable)?;
    let version = match parsed.version {
        Some(v) => {
            Version::try_from(v).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?
        }
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(unreadable)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        anyhow::bail!("stored hash unreadable: no salt or output");
    };
    let computed = compute(
        &Argon2::new(algorithm, version, params),
        password,
        salt,
        expected.len(),
    )?;
    // `Output`'s equality is constant-time.
    Ok(computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> PasswordHasher {
        PasswordHasher::new(1024, 1, 1, 2).unwrap()
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_at_a_lower_priority() {
        let hasher = hasher();
        let (answer, nice) = tokio::sync::oneshot::channel();
        hasher.pool.spawn(move || {
            let me = rustix::thread::gettid();
            let _ = answer.send(rustix::process::getpriority_process(Some(me)));
        });
        assert_eq!(nice.await.unwrap().unwrap(), HASHING_NICE);
        // The caller's thread keeps its own.
        let mine = rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
        assert_ne!(mine, HASHING_NICE);
    }

    /// Hashes stored before the hashing threads reused their memory (made by
    /// argon2's own `hash_password`) still verify, and the other way round.
    #[tokio::test]
    async fn hashes_are_those_of_the_argon2_crate() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let params = Params::new(1024, 1, 1, None).unwrap();
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let theirs = argon2(&params)
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        let hasher = hasher();
        assert!(
            hasher
                .verify("correct horse".into(), Some(theirs.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("correct hors".into(), Some(theirs))
                .await
                .unwrap()
        );
        let ours = hasher.hash("correct horse".into()).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"wrong", &parsed)
                .is_err()
        );
        // Two costs on one thread: the buffer grows, and both still verify.
        let bigger = hash_blocking(&Params::new(2048, 1, 1, None).unwrap(), "pw").unwrap();
        assert!(verify_blocking(&bigger, "pw").unwrap());
        assert!(verify_blocking(&hash_blocking(&params, "pw").unwrap(), "pw").unwrap());
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

    #[test]
    fn the_dummy_hash_costs_what_a_real_hash_costs() {
        // Same parameters (so the same verification work) as real hashes,
        // a fresh salt each time, and readable by the verifier.
        let hasher = hasher();
        let dummy = PasswordHash::new(&hasher.dummy_hash).unwrap();
        let params = Params::try_from(&dummy).unwrap();
        let costs = |p: &Params| (p.m_cost(), p.t_cost(), p.p_cost());
        assert_eq!(costs(&params), costs(&hasher.params));
        assert_eq!(dummy.hash.unwrap().len(), Params::DEFAULT_OUTPUT_LEN);
        assert_eq!(dummy.algorithm, Algorithm::Argon2id.ident());
        assert!(!hasher.needs_rehash(&hasher.dummy_hash));
        assert_ne!(
            hasher.dummy_hash,
            super::dummy_hash(&hasher.params).unwrap().into()
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
