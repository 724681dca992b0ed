//! Configuration: a flat struct read from `AUTH_`-prefixed environment
//! variables (and `.env`), validated once at start-up. Every error names the
//! variable at fault. Every variable is listed in the README and `.env.example`.

use std::{collections::HashMap, net::SocketAddr, path::PathBuf, time::Duration};

use secrecy::SecretString;
use serde::Deserialize;
use shared::{
    config::{describe_envy_error, parse_flag},
    cors::CorsConfig,
};

pub use shared::config::{Environment, LogFormat};

/// The validated configuration of the auth-service.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `AUTH_LISTEN_ADDR`: address the gRPC server binds.
    #[serde(default = "defaults::listen_addr", deserialize_with = "listen_addr")]
    pub listen_addr: SocketAddr,
    /// `AUTH_ADMIN_LISTEN_ADDR`: address of the admin HTTP server (`/metrics`,
    /// `/healthz`), never the public one; `off` disables it.
    #[serde(
        default = "defaults::admin_listen_addr",
        deserialize_with = "admin_listen_addr"
    )]
    pub admin_listen_addr: Option<SocketAddr>,
    /// `AUTH_ENV`: `development` or `production`.
    #[serde(default)]
    pub env: Environment,
    /// `AUTH_DATA_DIR`: holds the SQLite file and the development signing key.
    #[serde(default = "defaults::data_dir")]
    pub data_dir: PathBuf,
    /// `AUTH_DATABASE_URL`: `sqlite://...` or `postgres://...`; default a
    /// SQLite file in the data directory.
    #[serde(default)]
    pub database_url: Option<SecretString>,
    /// `AUTH_DATABASE_MAX_CONNECTIONS`: pool size per replica; unset, see
    /// [`Config::database_max_connections`].
    #[serde(default)]
    pub database_max_connections: Option<u32>,
    /// `AUTH_DATABASE_TIMEOUT_SECS`: how long a call waits for a connection
    /// before failing with UNAVAILABLE.
    #[serde(default = "defaults::database_timeout_secs")]
    pub database_timeout_secs: u64,
    /// `AUTH_SIGNING_KEY`: Ed25519 private key, PKCS#8 PEM.
    #[serde(default)]
    pub signing_key: Option<SecretString>,
    /// `AUTH_SIGNING_KEY_FILE`: path of a PKCS#8 PEM file with the private key.
    #[serde(default)]
    pub signing_key_file: Option<PathBuf>,
    /// `AUTH_PREVIOUS_PUBLIC_KEYS_FILE`: PEM file of earlier public keys still
    /// published (and accepted) during a key rotation.
    #[serde(default)]
    pub previous_public_keys_file: Option<PathBuf>,
    /// `AUTH_ISSUER`: the `iss` of issued tokens.
    #[serde(default = "defaults::issuer")]
    pub issuer: String,
    /// `AUTH_AUDIENCE`: the `aud` of access tokens.
    #[serde(default = "defaults::audience")]
    pub audience: String,
    /// `AUTH_ACCESS_TOKEN_TTL_SECS`: access-token lifetime.
    #[serde(default = "defaults::access_token_ttl_secs")]
    pub access_token_ttl_secs: u64,
    /// `AUTH_REFRESH_TOKEN_TTL_SECS`: how long a refresh token stays usable
    /// (each refresh issues a fresh one).
    #[serde(default = "defaults::refresh_token_ttl_secs")]
    pub refresh_token_ttl_secs: u64,
    /// `AUTH_SESSION_MAX_LIFETIME_SECS`: absolute lifetime of a session,
    /// however often it is refreshed.
    #[serde(default = "defaults::session_max_lifetime_secs")]
    pub session_max_lifetime_secs: u64,
    /// `AUTH_ARGON2_MEMORY_KIB`: argon2id memory cost.
    #[serde(default = "defaults::argon2_memory_kib")]
    pub argon2_memory_kib: u32,
    /// `AUTH_ARGON2_ITERATIONS`: argon2id time cost.
    #[serde(default = "defaults::argon2_iterations")]
    pub argon2_iterations: u32,
    /// `AUTH_ARGON2_PARALLELISM`: argon2id lanes.
    #[serde(default = "defaults::argon2_parallelism")]
    pub argon2_parallelism: u32,
    /// `AUTH_HASHING_CONCURRENCY`: password hashes computed at once; default
    /// the number of CPUs.
    #[serde(default)]
    pub hashing_concurrency: Option<usize>,
    /// `AUTH_LOGIN_MAX_FAILURES`: failed logins on one account before it is throttled.
    #[serde(default = "defaults::login_max_failures")]
    pub login_max_failures: u32,
    /// `AUTH_LOGIN_LOCKOUT_SECS`: first throttle delay; doubles with each
    /// further failure.
    #[serde(default = "defaults::login_lockout_secs")]
    pub login_lockout_secs: u64,
    /// `AUTH_LOGIN_LOCKOUT_MAX_SECS`: longest throttle delay; also how long
    /// failures are remembered.
    #[serde(default = "defaults::login_lockout_max_secs")]
    pub login_lockout_max_secs: u64,
    /// `AUTH_PASSWORD_MIN_LENGTH`: minimum password length in characters.
    #[serde(default = "defaults::password_min_length")]
    pub password_min_length: usize,
    /// `AUTH_PURGE_INTERVAL_SECS`: how often expired sessions, tokens and
    /// throttle records are deleted.
    #[serde(default = "defaults::purge_interval_secs")]
    pub purge_interval_secs: u64,
    /// `AUTH_LOG_FORMAT`: `pretty` or `json`; default `json` in production.
    #[serde(default)]
    pub log_format: Option<LogFormat>,
    /// `AUTH_SHUTDOWN_GRACE_SECS`: how long in-flight calls may take to finish
    /// after SIGTERM.
    #[serde(default = "defaults::shutdown_grace_secs")]
    pub shutdown_grace_secs: u64,
    /// `AUTH_REQUEST_TIMEOUT_SECS`: default deadline of a call (a client's
    /// shorter `grpc-timeout` wins); streams are not cut by it.
    #[serde(default = "defaults::request_timeout_secs")]
    pub request_timeout_secs: u64,
    /// `AUTH_MAX_CONCURRENT_STREAMS`: calls one connection may run at once.
    #[serde(default = "defaults::max_concurrent_streams")]
    pub max_concurrent_streams: u32,
    /// `AUTH_SERVICE_CLIENTS`: service clients allowed to call
    /// `IssueServiceToken`, as `id:argon2-hash` pairs separated by `;` (make a
    /// hash with `auth-service hash-client-secret`).
    #[serde(default)]
    pub service_clients: Option<String>,
    /// `AUTH_SERVICE_TOKEN_TTL_SECS`: service-token lifetime.
    #[serde(default = "defaults::service_token_ttl_secs")]
    pub service_token_ttl_secs: u64,
    /// `AUTH_CORS_ALLOWED_ORIGINS`: browser origins (`scheme://host[:port]`,
    /// comma separated) allowed to call over grpc-web; none by default.
    #[serde(default)]
    pub cors_allowed_origins: String,
    /// `AUTH_CORS_ORIGIN_ALLOW_ALL`: allow every origin (`true`/`false`;
    /// refused in production).
    #[serde(default)]
    pub cors_origin_allow_all: bool,
    /// `AUTH_CORS_ALLOW_CREDENTIALS`: send `Access-Control-Allow-Credentials`
    /// (`true`/`false`; never with allow-all).
    #[serde(default)]
    pub cors_allow_credentials: bool,
    /// `ENABLE_STRONG_PASSWORDS` (no prefix, the seed's name): require lower,
    /// upper, digit, special character and at least 12 characters.
    #[serde(skip, default = "defaults::enable_strong_passwords")]
    pub enable_strong_passwords: bool,
}

/// A configuration error, naming the variable at fault.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

/// Longest password accepted, in characters: bounds the cost of hashing.
pub const PASSWORD_MAX_LENGTH: usize = 128;

impl Config {
    /// Reads the process environment (after loading `.env` if present).
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_vars(std::env::vars())
    }

    /// Reads configuration from explicit `(name, value)` pairs, as found in
    /// the environment. Used by tests and by [`Config::from_env`].
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let vars: Vec<(String, String)> = vars.into_iter().collect();
        let mut config: Config = envy::prefixed("AUTH_")
            .from_iter(vars.iter().cloned())
            .map_err(|e| ConfigError(describe_envy_error("AUTH_", e)))?;
        if let Some((_, value)) = vars.iter().find(|(k, _)| k == "ENABLE_STRONG_PASSWORDS") {
            config.enable_strong_passwords = parse_flag(value).ok_or_else(|| {
                ConfigError(format!(
                    "ENABLE_STRONG_PASSWORDS must be true or false, got {value:?}"
                ))
            })?;
        }
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let fail = |msg: &str| Err(ConfigError(msg.to_owned()));
        if self.access_token_ttl_secs == 0 || self.access_token_ttl_secs > 24 * 3600 {
            return fail("AUTH_ACCESS_TOKEN_TTL_SECS must be between 1 and 86400");
        }
        if self.refresh_token_ttl_secs < self.access_token_ttl_secs {
            return fail("AUTH_REFRESH_TOKEN_TTL_SECS must be at least AUTH_ACCESS_TOKEN_TTL_SECS");
        }
        if self.session_max_lifetime_secs < self.refresh_token_ttl_secs {
            return fail(
                "AUTH_SESSION_MAX_LIFETIME_SECS must be at least AUTH_REFRESH_TOKEN_TTL_SECS",
            );
        }
        if self.request_timeout_secs == 0 || self.max_concurrent_streams == 0 {
            return fail(
                "AUTH_REQUEST_TIMEOUT_SECS and AUTH_MAX_CONCURRENT_STREAMS must be at least 1",
            );
        }
        if self.database_max_connections == Some(0) {
            return fail("AUTH_DATABASE_MAX_CONNECTIONS must be at least 1");
        }
        if self.database_timeout_secs == 0 {
            return fail("AUTH_DATABASE_TIMEOUT_SECS must be at least 1");
        }
        if argon2::Params::new(
            self.argon2_memory_kib,
            self.argon2_iterations,
            self.argon2_parallelism,
            None,
        )
        .is_err()
        {
            return fail(
                "AUTH_ARGON2_MEMORY_KIB / AUTH_ARGON2_ITERATIONS / AUTH_ARGON2_PARALLELISM are not valid argon2 parameters",
            );
        }
        if self.hashing_concurrency == Some(0) {
            return fail("AUTH_HASHING_CONCURRENCY must be at least 1");
        }
        if self.login_max_failures == 0 {
            return fail("AUTH_LOGIN_MAX_FAILURES must be at least 1");
        }
        if self.login_lockout_secs == 0 || self.login_lockout_max_secs < self.login_lockout_secs {
            return fail(
                "AUTH_LOGIN_LOCKOUT_SECS must be at least 1 and at most AUTH_LOGIN_LOCKOUT_MAX_SECS",
            );
        }
        if self.password_min_length == 0 || self.password_min_length > PASSWORD_MAX_LENGTH {
            return fail("AUTH_PASSWORD_MIN_LENGTH must be between 1 and 128");
        }
        if self.purge_interval_secs == 0 {
            return fail("AUTH_PURGE_INTERVAL_SECS must be at least 1");
        }
        if self.issuer.is_empty() || self.audience.is_empty() {
            return fail("AUTH_ISSUER and AUTH_AUDIENCE must not be empty");
        }
        if self.service_token_ttl_secs == 0 || self.service_token_ttl_secs > 3600 {
            return fail("AUTH_SERVICE_TOKEN_TTL_SECS must be between 1 and 3600");
        }
        self.service_clients()?;
        if self.signing_key.is_some() && self.signing_key_file.is_some() {
            return fail("set only one of AUTH_SIGNING_KEY and AUTH_SIGNING_KEY_FILE");
        }
        if self.env == Environment::Production
            && self.signing_key.is_none()
            && self.signing_key_file.is_none()
        {
            return fail(
                "AUTH_SIGNING_KEY or AUTH_SIGNING_KEY_FILE is required when AUTH_ENV=production",
            );
        }
        self.cors()?;
        Ok(())
    }

    /// The configured service clients: id → argon2 hash of the secret.
    pub fn service_clients(&self) -> Result<HashMap<String, String>, ConfigError> {
        let mut clients = HashMap::new();
        let entries = self.service_clients.as_deref().unwrap_or("");
        for entry in entries.split(';').map(str::trim).filter(|e| !e.is_empty()) {
            let bad = || {
                ConfigError(
                    "AUTH_SERVICE_CLIENTS must be `id:argon2-hash` pairs separated by `;`"
                        .to_owned(),
                )
            };
            let (id, hash) = entry.split_once(':').ok_or_else(bad)?;
            if id.is_empty() || argon2::PasswordHash::new(hash).is_err() {
                return Err(bad());
            }
            clients.insert(id.to_owned(), hash.to_owned());
        }
        Ok(clients)
    }

    /// Access-token lifetime.
    pub fn access_token_ttl(&self) -> Duration {
        Duration::from_secs(self.access_token_ttl_secs)
    }

    /// The server's call limits.
    pub fn limits(&self) -> shared::server::Limits {
        shared::server::Limits {
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            max_concurrent_streams: self.max_concurrent_streams,
        }
    }

    /// The effective log format.
    pub fn log_format(&self) -> LogFormat {
        LogFormat::or_default_for(self.log_format, self.env)
    }

    /// The validated CORS settings for browser (grpc-web) clients.
    pub fn cors(&self) -> Result<CorsConfig, ConfigError> {
        CorsConfig::from_settings(
            "AUTH_",
            self.env,
            &self.cors_allowed_origins,
            self.cors_origin_allow_all,
            self.cors_allow_credentials,
        )
        .map_err(ConfigError)
    }

    /// Pool size: `AUTH_DATABASE_MAX_CONNECTIONS`, else
    /// [`shared::db::default_max_connections`] (10 on PostgreSQL, two per
    /// core on SQLite, where this pool only reads: writes go through their
    /// own single connection, `shared::db::Pools`).
    pub fn database_max_connections(&self) -> u32 {
        self.database_max_connections
            .unwrap_or_else(|| shared::db::default_max_connections(self.database_url.as_ref()))
    }

    /// Password hashes computed at once.
    pub fn hashing_concurrency(&self) -> usize {
        self.hashing_concurrency.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
        })
    }
}

fn listen_addr<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<SocketAddr, D::Error> {
    shared::config::socket_addr(deserializer, "AUTH_LISTEN_ADDR")
}

fn admin_listen_addr<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<SocketAddr>, D::Error> {
    shared::config::optional_socket_addr(deserializer, "AUTH_ADMIN_LISTEN_ADDR")
}

mod defaults {
    use std::{net::SocketAddr, path::PathBuf};

    pub(super) fn listen_addr() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 50051))
    }
    /// Beside the gRPC port, on loopback: metrics are for operators only.
    pub(super) fn admin_listen_addr() -> Option<SocketAddr> {
        Some(SocketAddr::from(([127, 0, 0, 1], 9051)))
    }
    pub(super) fn data_dir() -> PathBuf {
        PathBuf::from("data")
    }
    pub(super) fn database_timeout_secs() -> u64 {
        5
    }
    pub(super) fn issuer() -> String {
        "jobsearch-auth".to_owned()
    }
    pub(super) fn audience() -> String {
        "jobsearch".to_owned()
    }
    /// 15 minutes (the seed used 60): a leaked access token is useful for less time.
    pub(super) fn access_token_ttl_secs() -> u64 {
        15 * 60
    }
    /// One day, as in the seed, but each refresh token is single-use.
    pub(super) fn refresh_token_ttl_secs() -> u64 {
        24 * 3600
    }
    /// A week: even an active session must log in again eventually.
    pub(super) fn session_max_lifetime_secs() -> u64 {
        7 * 24 * 3600
    }
    /// OWASP's argon2id recommendation: m = 19 MiB, t = 2, p = 1.
    pub(super) fn argon2_memory_kib() -> u32 {
        19 * 1024
    }
    pub(super) fn argon2_iterations() -> u32 {
        2
    }
    pub(super) fn argon2_parallelism() -> u32 {
        1
    }
    pub(super) fn login_max_failures() -> u32 {
        5
    }
    pub(super) fn login_lockout_secs() -> u64 {
        30
    }
    pub(super) fn login_lockout_max_secs() -> u64 {
        15 * 60
    }
    pub(super) fn password_min_length() -> usize {
        8
    }
    pub(super) fn purge_interval_secs() -> u64 {
        300
    }
    pub(super) fn request_timeout_secs() -> u64 {
        30
    }
    pub(super) fn max_concurrent_streams() -> u32 {
        200
    }
    pub(super) fn shutdown_grace_secs() -> u64 {
        20
    }
    /// Five minutes: services renew long before, and a leaked one dies soon.
    pub(super) fn service_token_ttl_secs() -> u64 {
        300
    }
    pub(super) fn enable_strong_passwords() -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_are_safe_and_local() {
        let config = Config::from_vars(vars(&[])).unwrap();
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:50051");
        assert_eq!(config.env, Environment::Development);
        assert_eq!(config.access_token_ttl_secs, 900);
        assert_eq!(config.argon2_memory_kib, 19456);
        assert_eq!(config.argon2_iterations, 2);
        assert!(config.enable_strong_passwords);
    }

    #[test]
    fn the_pool_defaults_to_two_readers_a_core_on_sqlite_and_ten_on_postgres() {
        let cores = std::thread::available_parallelism().unwrap().get();
        let sqlite = Config::from_vars(vars(&[])).unwrap();
        assert_eq!(sqlite.database_max_connections() as usize, 2 * cores);
        let postgres = Config::from_vars(vars(&[(
            "AUTH_DATABASE_URL",
            "postgres://u:p@localhost/auth",
        )]))
        .unwrap();
        assert_eq!(postgres.database_max_connections(), 10);
        let chosen = Config::from_vars(vars(&[("AUTH_DATABASE_MAX_CONNECTIONS", "4")])).unwrap();
        assert_eq!(chosen.database_max_connections(), 4);
    }

    #[test]
    fn a_bad_value_names_the_variable_without_echoing_it() {
        let error = Config::from_vars(vars(&[("AUTH_ACCESS_TOKEN_TTL_SECS", "soon-ish")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("AUTH_ACCESS_TOKEN_TTL_SECS"), "{error}");
        assert!(!error.contains("soon-ish"), "{error}");
    }

    #[test]
    fn production_refuses_to_start_without_a_signing_key() {
        let error = Config::from_vars(vars(&[("AUTH_ENV", "production")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("AUTH_SIGNING_KEY"), "{error}");
    }

    #[test]
    fn strong_passwords_can_be_switched_off_with_the_seed_variable() {
        let config = Config::from_vars(vars(&[("ENABLE_STRONG_PASSWORDS", "False")])).unwrap();
        assert!(!config.enable_strong_passwords);
        let error = Config::from_vars(vars(&[("ENABLE_STRONG_PASSWORDS", "maybe")])).unwrap_err();
        assert!(error.to_string().contains("ENABLE_STRONG_PASSWORDS"));
    }

    #[test]
    fn cors_allows_no_browser_origin_by_default() {
        let cors = Config::from_vars(vars(&[])).unwrap().cors().unwrap();
        assert!(cors.allowed_origins.is_empty() && !cors.allow_all && !cors.allow_credentials);
    }

    #[test]
    fn cors_settings_are_read_under_the_prefix() {
        let config = Config::from_vars(vars(&[
            (
                "AUTH_CORS_ALLOWED_ORIGINS",
                "http://localhost:5173,https://jobs.example.com",
            ),
            ("AUTH_CORS_ALLOW_CREDENTIALS", "true"),
        ]))
        .unwrap();
        let cors = config.cors().unwrap();
        assert_eq!(
            cors.allowed_origins,
            ["http://localhost:5173", "https://jobs.example.com"]
        );
        assert!(cors.allow_credentials);
    }

    #[test]
    fn cors_refusals_name_the_variable() {
        let production = [("AUTH_ENV", "production"), ("AUTH_SIGNING_KEY", "pem")];
        let cases: [(&[(&str, &str)], &str); 4] = [
            (
                &[("AUTH_CORS_ALLOWED_ORIGINS", "http://localhost:5173/")],
                "AUTH_CORS_ALLOWED_ORIGINS",
            ),
            (
                &[("AUTH_CORS_ORIGIN_ALLOW_ALL", "yes")],
                "AUTH_CORS_ORIGIN_ALLOW_ALL",
            ),
            (
                &[
                    ("AUTH_CORS_ORIGIN_ALLOW_ALL", "true"),
                    ("AUTH_CORS_ALLOW_CREDENTIALS", "true"),
                ],
                "AUTH_CORS_ALLOW_CREDENTIALS",
            ),
            (
                &[
                    production[0],
                    production[1],
                    ("AUTH_CORS_ORIGIN_ALLOW_ALL", "true"),
                ],
                "AUTH_CORS_ORIGIN_ALLOW_ALL",
            ),
        ];
        for (pairs, variable) in cases {
            let error = Config::from_vars(vars(pairs)).unwrap_err().to_string();
            assert!(error.contains(variable), "{pairs:?}: {error}");
        }
        // Allowing every origin is a development convenience only.
        let config = Config::from_vars(vars(&[("AUTH_CORS_ORIGIN_ALLOW_ALL", "true")])).unwrap();
        assert!(config.cors().unwrap().allow_all);
    }

    #[test]
    fn inconsistent_lifetimes_are_refused() {
        let error = Config::from_vars(vars(&[
            ("AUTH_ACCESS_TOKEN_TTL_SECS", "3600"),
            ("AUTH_REFRESH_TOKEN_TTL_SECS", "60"),
        ]))
        .unwrap_err();
        assert!(error.to_string().contains("AUTH_REFRESH_TOKEN_TTL_SECS"));
    }
}
