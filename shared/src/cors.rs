//! CORS for browser clients, which call both services over grpc-web: the
//! settings each service reads under its own prefix (`AUTH_CORS_*`,
//! `JOBS_CORS_*`, the names of the seed's django-cors-headers settings),
//! their validation, and the `tower-http` layer built from them.
//!
//! The layer must sit outside tonic-web's `GrpcWebLayer`: tonic-web answers
//! an HTTP/1.1 `OPTIONS` with 400, so the preflight has to be answered first.

use std::time::Duration;

use http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::Environment;

/// Request headers a grpc-web client sends (`x-grpc-web`, `x-user-agent`
/// and `grpc-timeout` come from the grpc-web libraries, `authorization`
/// carries the access token, `x-request-id` lets a page correlate its call
/// with the server's logs).
const ALLOWED_HEADERS: [&str; 6] = [
    "authorization",
    "content-type",
    "x-grpc-web",
    "x-user-agent",
    "grpc-timeout",
    "x-request-id",
];

/// Response headers the page's script may read: a trailers-only error puts
/// the status in headers, and without these a browser hides it; the request
/// id is what to quote in a bug report; `x-jobsearch-warning` flags a call
/// that succeeded with a warning (a likely duplicate posting).
const EXPOSED_HEADERS: [&str; 5] = [
    "grpc-status",
    "grpc-message",
    "grpc-status-details-bin",
    "x-request-id",
    "x-jobsearch-warning",
];

/// How long a browser may cache a preflight: two hours, Chromium's cap.
const MAX_AGE: Duration = Duration::from_secs(2 * 3600);

/// Validated CORS settings of one service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsConfig {
    /// Origins allowed to call, as browsers send them in `Origin`
    /// (`scheme://host[:port]`, lowercase, default port omitted).
    pub allowed_origins: Vec<String>,
    /// Every origin is allowed (development only).
    pub allow_all: bool,
    /// Whether `Access-Control-Allow-Credentials: true` is sent. Bearer
    /// tokens in `authorization` do not need it; cookies would.
    pub allow_credentials: bool,
}

impl CorsConfig {
    /// Validates the raw values of `<prefix>CORS_ALLOWED_ORIGINS` (comma
    /// separated), `<prefix>CORS_ORIGIN_ALLOW_ALL` and
    /// `<prefix>CORS_ALLOW_CREDENTIALS`. Errors name the variable at fault.
    pub fn from_settings(
        prefix: &str,
        env: Environment,
        allowed_origins: &str,
        allow_all: bool,
        allow_credentials: bool,
    ) -> Result<Self, String> {
        let (origins_var, all_var, credentials_var) = (
            format!("{prefix}CORS_ALLOWED_ORIGINS"),
            format!("{prefix}CORS_ORIGIN_ALLOW_ALL"),
            format!("{prefix}CORS_ALLOW_CREDENTIALS"),
        );
        if allow_all && env == Environment::Production {
            return Err(format!(
                "{all_var}=true is refused when {prefix}ENV=production: list the browser origins in {origins_var}"
            ));
        }
        if allow_all && allow_credentials {
            // Browsers refuse credentials with `*`; reflecting any origin
            // instead would let every site act with the user's cookies.
            return Err(format!(
                "{credentials_var} cannot be combined with {all_var}"
            ));
        }
        let mut origins: Vec<String> = Vec::new();
        for raw in allowed_origins
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
        {
            let origin = parse_origin(raw)
                .map_err(|why| format!("{origins_var}: {raw:?} is not an origin: {why}"))?;
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        if allow_all && !origins.is_empty() {
            return Err(format!("set only one of {origins_var} and {all_var}"));
        }
        Ok(Self {
            allowed_origins: origins,
            allow_all,
            allow_credentials,
        })
    }

    /// The layer answering preflights and adding CORS headers to responses.
    /// With no origin configured it allows none: browsers are refused.
    pub fn layer(&self) -> CorsLayer {
        let origins = if self.allow_all {
            tracing::warn!("CORS allows every origin (development only)");
            AllowOrigin::any()
        } else {
            // Validated in `from_settings`, so every origin is a valid header value.
            AllowOrigin::list(
                self.allowed_origins
                    .iter()
                    .filter_map(|o| HeaderValue::from_str(o).ok()),
            )
        };
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::POST])
            .allow_headers(ALLOWED_HEADERS.map(HeaderName::from_static))
            .expose_headers(EXPOSED_HEADERS.map(HeaderName::from_static))
            .allow_credentials(self.allow_credentials)
            .max_age(MAX_AGE)
    }
}

/// Parses one configured origin, `scheme://host[:port]`, into the form a
/// browser sends (`HTTP://LocalHost:80` becomes `http://localhost`), since
/// the layer compares `Origin` byte for byte.
pub fn parse_origin(raw: &str) -> Result<String, &'static str> {
    if raw.contains('*') {
        return Err("wildcards are not supported: list each origin");
    }
    let url = url::Url::parse(raw).map_err(|_| "expected scheme://host[:port]")?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("expected http:// or https:// and a host");
    }
    // `Url` reports the path "/" for both `http://a` and `http://a/`, so the
    // trailing slash is checked on the raw text: browsers never send one.
    if url.path() != "/"
        || raw.ends_with('/')
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err("an origin has no path, trailing slash, query or user name");
    }
    Ok(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(
        env: Environment,
        origins: &str,
        all: bool,
        creds: bool,
    ) -> Result<CorsConfig, String> {
        CorsConfig::from_settings("AUTH_", env, origins, all, creds)
    }

    #[test]
    fn origins_are_normalised_as_browsers_send_them() {
        assert_eq!(
            parse_origin("http://localhost:5173").unwrap(),
            "http://localhost:5173"
        );
        assert_eq!(
            parse_origin("HTTPS://App.Example.com:443").unwrap(),
            "https://app.example.com"
        );
        assert_eq!(
            parse_origin("http://[::1]:8080").unwrap(),
            "http://[::1]:8080"
        );
    }

    #[test]
    fn anything_but_an_origin_is_refused() {
        for bad in [
            "localhost:5173",
            "http://localhost:5173/",
            "http://localhost:5173/app",
            "http://localhost?x=1",
            "http://user@localhost",
            "ftp://localhost",
            "*",
            "https://*.example.com",
            "null",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn the_default_allows_no_origin() {
        let cors = settings(Environment::Production, "", false, false).unwrap();
        assert_eq!(cors, CorsConfig::default());
    }

    #[test]
    fn a_list_is_split_trimmed_and_deduplicated() {
        let cors = settings(
            Environment::Production,
            " http://localhost:5173, https://jobs.example.com ,http://LOCALHOST:5173,",
            false,
            true,
        )
        .unwrap();
        assert_eq!(
            cors.allowed_origins,
            ["http://localhost:5173", "https://jobs.example.com"]
        );
        assert!(cors.allow_credentials);
    }

    #[test]
    fn a_bad_origin_names_the_variable() {
        let error = settings(
            Environment::Development,
            "http://ok.example, http://bad/",
            false,
            false,
        )
        .unwrap_err();
        assert!(
            error.starts_with("AUTH_CORS_ALLOWED_ORIGINS: \"http://bad/\""),
            "{error}"
        );
    }

    #[test]
    fn allow_all_is_refused_in_production() {
        let error = settings(Environment::Production, "", true, false).unwrap_err();
        assert!(error.contains("AUTH_CORS_ORIGIN_ALLOW_ALL"), "{error}");
        assert!(error.contains("AUTH_ENV=production"), "{error}");
        assert!(
            settings(Environment::Development, "", true, false)
                .unwrap()
                .allow_all
        );
    }

    #[test]
    fn allow_all_is_never_combined_with_credentials_or_a_list() {
        let error = settings(Environment::Development, "", true, true).unwrap_err();
        assert!(error.contains("AUTH_CORS_ALLOW_CREDENTIALS"), "{error}");
        let error =
            settings(Environment::Development, "http://a.example", true, false).unwrap_err();
        assert!(error.contains("AUTH_CORS_ALLOWED_ORIGINS"), "{error}");
    }

    #[test]
    fn every_configuration_builds_a_layer() {
        // tower-http panics on some combinations when the layer is built;
        // the validation above must have refused all of them.
        let cases = [
            ("http://a.example", false, true),
            ("", true, false),
            ("", false, false),
        ];
        for (origins, all, creds) in cases {
            let cors = settings(Environment::Development, origins, all, creds).unwrap();
            let _service = tower::Layer::layer(&cors.layer(), ());
        }
    }
}
