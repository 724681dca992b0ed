//! Configuration: a flat struct read from `JOBS_`-prefixed environment
//! variables (and `.env`), validated once at start-up. Every error names the
//! variable at fault. Every variable is listed in the README and `.env.example`.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use secrecy::SecretString;
use serde::Deserialize;
use shared::{config::describe_envy_error, cors::CorsConfig};

pub use shared::config::{Environment, LogFormat};

/// The validated configuration of the jobs-service.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// `JOBS_LISTEN_ADDR`: address the gRPC server binds.
    #[serde(default = "defaults::listen_addr", deserialize_with = "listen_addr")]
    pub listen_addr: SocketAddr,
    /// `JOBS_ADMIN_LISTEN_ADDR`: address of the admin HTTP server (`/metrics`,
    /// `/healthz`), never the public one; `off` disables it.
    #[serde(
        default = "defaults::admin_listen_addr",
        deserialize_with = "admin_listen_addr"
    )]
    pub admin_listen_addr: Option<SocketAddr>,
    /// `JOBS_ENV`: `development` or `production`.
    #[serde(default)]
    pub env: Environment,
    /// `JOBS_DATA_DIR`: holds the SQLite file and the development encryption key.
    #[serde(default = "defaults::data_dir")]
    pub data_dir: PathBuf,
    /// `JOBS_DATABASE_URL`: `sqlite://...` or `postgres://...`; default a
    /// SQLite file in the data directory.
    #[serde(default)]
    pub database_url: Option<SecretString>,
    /// `JOBS_DATABASE_MAX_CONNECTIONS`: pool size per replica; unset, see
    /// [`Config::database_max_connections`].
    #[serde(default)]
    pub database_max_connections: Option<u32>,
    /// `JOBS_DATABASE_TIMEOUT_SECS`: how long a call waits for a connection
    /// before failing with UNAVAILABLE.
    #[serde(default = "defaults::database_timeout_secs")]
    pub database_timeout_secs: u64,
    /// `JOBS_AUTH_URL`: the auth-service, where the public keys come from.
    #[serde(default = "defaults::auth_url")]
    pub auth_url: String,
    /// `JOBS_JWKS`: a JWK set (JSON) to use instead of fetching one.
    #[serde(default)]
    pub jwks: Option<String>,
    /// `JOBS_JWKS_FILE`: path of a JWK set file to use instead of fetching one.
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
    /// `JOBS_JWKS_REFRESH_SECS`: how often fetched keys are refreshed.
    #[serde(default = "defaults::jwks_refresh_secs")]
    pub jwks_refresh_secs: u64,
    /// `JOBS_JWKS_MIN_REFETCH_SECS`: least time between two fetches caused
    /// by tokens with an unknown `kid` (so forged kids cannot flood the
    /// auth-service).
    #[serde(default = "defaults::jwks_min_refetch_secs")]
    pub jwks_min_refetch_secs: u64,
    /// `JOBS_TOKEN_ISSUER`: the `iss` access tokens must carry.
    #[serde(default = "defaults::token_issuer")]
    pub token_issuer: String,
    /// `JOBS_TOKEN_AUDIENCE`: the `aud` access tokens must carry.
    #[serde(default = "defaults::token_audience")]
    pub token_audience: String,
    /// `JOBS_SERVICE_CLIENT_ID`: this service's client id at the auth-service.
    #[serde(default = "defaults::service_client_id")]
    pub service_client_id: String,
    /// `JOBS_SERVICE_CLIENT_SECRET`: its secret; without it the revocation
    /// feed is off (required in production).
    #[serde(default)]
    pub service_client_secret: Option<SecretString>,
    /// `JOBS_REVOCATION_STALE_POLICY`: what to do when the revocation feed has
    /// been silent longer than `JOBS_REVOCATION_MAX_STALENESS_SECS`: `serve`
    /// (keep accepting tokens: never worse than plain JWT expiry) or `refuse`
    /// (refuse tokens issued before the feed went silent).
    #[serde(default)]
    pub revocation_stale_policy: StalePolicy,
    /// `JOBS_REVOCATION_MAX_STALENESS_SECS`: how long the feed may be silent
    /// before it counts as stale (it sends heartbeats every 5 s); at least
    /// `MIN_STALENESS_SECS`.
    #[serde(default = "defaults::revocation_max_staleness_secs")]
    pub revocation_max_staleness_secs: u64,
    /// `JOBS_ENCRYPTION_KEY`: 32 bytes, base64, for stored passwords.
    #[serde(default)]
    pub encryption_key: Option<SecretString>,
    /// `JOBS_ENCRYPTION_KEY_FILE`: path of a file holding that key.
    #[serde(default)]
    pub encryption_key_file: Option<PathBuf>,
    /// `JOBS_LOG_FORMAT`: `pretty` or `json`; default `json` in production.
    #[serde(default)]
    pub log_format: Option<LogFormat>,
    /// `JOBS_SHUTDOWN_GRACE_SECS`: how long in-flight calls may take to
    /// finish after SIGTERM.
    #[serde(default = "defaults::shutdown_grace_secs")]
    pub shutdown_grace_secs: u64,
    /// `JOBS_REQUEST_TIMEOUT_SECS`: default deadline of a call (a client's
    /// shorter `grpc-timeout` wins); streams are not cut by it.
    #[serde(default = "defaults::request_timeout_secs")]
    pub request_timeout_secs: u64,
    /// `JOBS_MAX_CONCURRENT_STREAMS`: calls one connection may run at once.
    #[serde(default = "defaults::max_concurrent_streams")]
    pub max_concurrent_streams: u32,
    /// `JOBS_CORS_ALLOWED_ORIGINS`: browser origins (`scheme://host[:port]`,
    /// comma separated) allowed to call over grpc-web; none by default.
    #[serde(default)]
    pub cors_allowed_origins: String,
    /// `JOBS_CORS_ORIGIN_ALLOW_ALL`: allow every origin (`true`/`false`;
    /// refused in production).
    #[serde(default)]
    pub cors_origin_allow_all: bool,
    /// `JOBS_CORS_ALLOW_CREDENTIALS`: send `Access-Control-Allow-Credentials`
    /// (`true`/`false`; never with allow-all).
    #[serde(default)]
    pub cors_allow_credentials: bool,
    /// `JOBS_FOLLOW_UP_AFTER_APPLIED_DAYS`: a follow-up falls due this many
    /// days after a history's last step if it is APPLIED (0: never).
    #[serde(default = "defaults::follow_up_after_applied_days")]
    pub follow_up_after_applied_days: u32,
    /// `JOBS_FOLLOW_UP_AFTER_INTERVIEW_DAYS`: the same after INTERVIEW or
    /// AWAITING_FEEDBACK.
    #[serde(default = "defaults::follow_up_after_interview_days")]
    pub follow_up_after_interview_days: u32,
}

/// What the interceptor does while the revocation feed is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StalePolicy {
    /// Keep accepting valid tokens (the guarantee degrades to JWT expiry).
    #[default]
    Serve,
    /// Refuse tokens issued before the feed went silent.
    Refuse,
}

/// A configuration error, naming the variable at fault.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

/// The least `JOBS_REVOCATION_MAX_STALENESS_SECS`: two heartbeats of the feed.
pub const MIN_STALENESS_SECS: u64 = 10;

impl Config {
    /// Reads the process environment (after loading `.env` if present).
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_vars(std::env::vars())
    }

    /// Reads configuration from explicit `(name, value)` pairs.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let config: Config = envy::prefixed("JOBS_")
            .from_iter(vars)
            .map_err(|e| ConfigError(describe_envy_error("JOBS_", e)))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let fail = |msg: &str| Err(ConfigError(msg.to_owned()));
        if self.request_timeout_secs == 0 || self.max_concurrent_streams == 0 {
            return fail(
                "JOBS_REQUEST_TIMEOUT_SECS and JOBS_MAX_CONCURRENT_STREAMS must be at least 1",
            );
        }
        if self.database_max_connections == Some(0) {
            return fail("JOBS_DATABASE_MAX_CONNECTIONS must be at least 1");
        }
        if self.database_timeout_secs == 0 {
            return fail("JOBS_DATABASE_TIMEOUT_SECS must be at least 1");
        }
        if self.jwks.is_some() && self.jwks_file.is_some() {
            return fail("set only one of JOBS_JWKS and JOBS_JWKS_FILE");
        }
        if self.static_jwks_configured() {
            // Keys are fixed: the auth URL is not used for them.
        } else if !(self.auth_url.starts_with("http://") || self.auth_url.starts_with("https://")) {
            return fail("JOBS_AUTH_URL must be an http:// or https:// URL");
        }
        if self.jwks_refresh_secs == 0 || self.jwks_min_refetch_secs == 0 {
            return fail(
                "JOBS_JWKS_REFRESH_SECS and JOBS_JWKS_MIN_REFETCH_SECS must be at least 1",
            );
        }
        if self.token_issuer.is_empty() || self.token_audience.is_empty() {
            return fail("JOBS_TOKEN_ISSUER and JOBS_TOKEN_AUDIENCE must not be empty");
        }
        if self.encryption_key.is_some() && self.encryption_key_file.is_some() {
            return fail("set only one of JOBS_ENCRYPTION_KEY and JOBS_ENCRYPTION_KEY_FILE");
        }
        // The auth-service sends a heartbeat every 5 s: a shorter bound
        // would call an idle, healthy feed stale between two heartbeats.
        if self.revocation_max_staleness_secs < MIN_STALENESS_SECS {
            return fail(
                "JOBS_REVOCATION_MAX_STALENESS_SECS must be at least 10 (twice the feed's 5 s heartbeat)",
            );
        }
        if self.env == Environment::Production && self.service_client_secret.is_none() {
            return fail(
                "JOBS_SERVICE_CLIENT_SECRET is required when JOBS_ENV=production (the revocation feed needs it)",
            );
        }
        if self.env == Environment::Production
            && self.encryption_key.is_none()
            && self.encryption_key_file.is_none()
        {
            return fail(
                "JOBS_ENCRYPTION_KEY or JOBS_ENCRYPTION_KEY_FILE is required when JOBS_ENV=production",
            );
        }
        if self.follow_up_after_applied_days > 365 || self.follow_up_after_interview_days > 365 {
            return fail(
                "JOBS_FOLLOW_UP_AFTER_APPLIED_DAYS and JOBS_FOLLOW_UP_AFTER_INTERVIEW_DAYS must be at most 365",
            );
        }
        self.cors()?;
        Ok(())
    }

    /// Pool size: `JOBS_DATABASE_MAX_CONNECTIONS`, else
    /// [`shared::db::default_max_connections`] (10 on PostgreSQL, two per
    /// core on SQLite, where this pool only reads).
    pub fn database_max_connections(&self) -> u32 {
        self.database_max_connections
            .unwrap_or_else(|| shared::db::default_max_connections(self.database_url.as_ref()))
    }

    /// When follow-ups fall due.
    pub fn follow_up_rules(&self) -> crate::domain::follow_up::FollowUpRules {
        crate::domain::follow_up::FollowUpRules {
            after_applied_days: i64::from(self.follow_up_after_applied_days),
            after_interview_days: i64::from(self.follow_up_after_interview_days),
        }
    }

    /// Whether the public keys are configured rather than fetched.
    pub fn static_jwks_configured(&self) -> bool {
        self.jwks.is_some() || self.jwks_file.is_some()
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
            "JOBS_",
            self.env,
            &self.cors_allowed_origins,
            self.cors_origin_allow_all,
            self.cors_allow_credentials,
        )
        .map_err(ConfigError)
    }

    /// Refresh period of fetched keys.
    pub fn jwks_refresh(&self) -> Duration {
        Duration::from_secs(self.jwks_refresh_secs)
    }

    /// Least time between unknown-`kid` refetches.
    pub fn jwks_min_refetch(&self) -> Duration {
        Duration::from_secs(self.jwks_min_refetch_secs)
    }
}

fn listen_addr<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<SocketAddr, D::Error> {
    shared::config::socket_addr(deserializer, "JOBS_LISTEN_ADDR")
}

fn admin_listen_addr<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<SocketAddr>, D::Error> {
    shared::config::optional_socket_addr(deserializer, "JOBS_ADMIN_LISTEN_ADDR")
}

mod defaults {
    use std::{net::SocketAddr, path::PathBuf};

    pub(super) fn follow_up_after_applied_days() -> u32 {
        7
    }
    pub(super) fn follow_up_after_interview_days() -> u32 {
        5
    }
    pub(super) fn listen_addr() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 50052))
    }
    /// Beside the gRPC port, on loopback: metrics are for operators only.
    pub(super) fn admin_listen_addr() -> Option<SocketAddr> {
        Some(SocketAddr::from(([127, 0, 0, 1], 9052)))
    }
    pub(super) fn data_dir() -> PathBuf {
        PathBuf::from("data")
    }
    pub(super) fn database_timeout_secs() -> u64 {
        5
    }
    pub(super) fn auth_url() -> String {
        "http://127.0.0.1:50051".to_owned()
    }
    pub(super) fn jwks_refresh_secs() -> u64 {
        300
    }
    pub(super) fn jwks_min_refetch_secs() -> u64 {
        5
    }
    pub(super) fn token_issuer() -> String {
        "jobsearch-auth".to_owned()
    }
    pub(super) fn token_audience() -> String {
        "jobsearch".to_owned()
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
    pub(super) fn service_client_id() -> String {
        "jobs-service".to_owned()
    }
    pub(super) fn revocation_max_staleness_secs() -> u64 {
        30
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
    fn defaults_point_at_the_local_auth_service() {
        let config = Config::from_vars(vars(&[])).unwrap();
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:50052");
        assert_eq!(config.auth_url, "http://127.0.0.1:50051");
    }

    #[test]
    fn the_pool_defaults_to_two_readers_a_core_on_sqlite_and_ten_on_postgres() {
        let cores = std::thread::available_parallelism().unwrap().get();
        let sqlite = Config::from_vars(vars(&[])).unwrap();
        assert_eq!(sqlite.database_max_connections() as usize, 2 * cores);
        let postgres = Config::from_vars(vars(&[(
            "JOBS_DATABASE_URL",
            "postgres://u:p@localhost/jobs",
        )]))
        .unwrap();
        assert_eq!(postgres.database_max_connections(), 10);
        let chosen = Config::from_vars(vars(&[("JOBS_DATABASE_MAX_CONNECTIONS", "3")])).unwrap();
        assert_eq!(chosen.database_max_connections(), 3);
    }

    #[test]
    fn a_staleness_bound_shorter_than_two_heartbeats_is_refused() {
        let error = Config::from_vars(vars(&[("JOBS_REVOCATION_MAX_STALENESS_SECS", "9")]))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("JOBS_REVOCATION_MAX_STALENESS_SECS"),
            "{error}"
        );
        let config =
            Config::from_vars(vars(&[("JOBS_REVOCATION_MAX_STALENESS_SECS", "10")])).unwrap();
        assert_eq!(config.revocation_max_staleness_secs, 10);
    }

    #[test]
    fn production_refuses_to_start_without_an_encryption_key() {
        let error = Config::from_vars(vars(&[
            ("JOBS_ENV", "production"),
            ("JOBS_SERVICE_CLIENT_SECRET", "s"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(error.contains("JOBS_ENCRYPTION_KEY"), "{error}");
    }

    #[test]
    fn production_refuses_to_start_without_revocation_credentials() {
        let error = Config::from_vars(vars(&[("JOBS_ENV", "production")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("JOBS_SERVICE_CLIENT_SECRET"), "{error}");
    }

    #[test]
    fn cors_settings_are_read_under_the_prefix() {
        let config = Config::from_vars(vars(&[(
            "JOBS_CORS_ALLOWED_ORIGINS",
            "http://localhost:5173",
        )]))
        .unwrap();
        assert_eq!(
            config.cors().unwrap().allowed_origins,
            ["http://localhost:5173"]
        );
        let error = Config::from_vars(vars(&[("JOBS_CORS_ALLOWED_ORIGINS", "*")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("JOBS_CORS_ALLOWED_ORIGINS"), "{error}");
    }

    #[test]
    fn cors_allow_all_is_refused_in_production() {
        let error = Config::from_vars(vars(&[
            ("JOBS_ENV", "production"),
            ("JOBS_SERVICE_CLIENT_SECRET", "s"),
            ("JOBS_ENCRYPTION_KEY", "k"),
            ("JOBS_CORS_ORIGIN_ALLOW_ALL", "true"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(error.contains("JOBS_CORS_ORIGIN_ALLOW_ALL"), "{error}");
        assert!(error.contains("JOBS_ENV=production"), "{error}");
    }

    #[test]
    fn the_admin_port_is_local_by_default_and_can_be_switched_off() {
        let config = Config::from_vars(vars(&[])).unwrap();
        assert_eq!(
            config.admin_listen_addr.unwrap().to_string(),
            "127.0.0.1:9052"
        );
        let off = Config::from_vars(vars(&[("JOBS_ADMIN_LISTEN_ADDR", "off")])).unwrap();
        assert_eq!(off.admin_listen_addr, None);
        let error = Config::from_vars(vars(&[("JOBS_ADMIN_LISTEN_ADDR", "9052")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("JOBS_ADMIN_LISTEN_ADDR"), "{error}");
    }

    #[test]
    fn a_bad_value_names_the_variable() {
        let error = Config::from_vars(vars(&[("JOBS_LISTEN_ADDR", "nowhere")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("JOBS_LISTEN_ADDR"), "{error}");
    }
}
