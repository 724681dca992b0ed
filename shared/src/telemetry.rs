//! Logging set-up. Human-readable lines in development, one JSON object per
//! line in production (what CloudWatch Logs Insights queries best).

use tracing_subscriber::{EnvFilter, fmt};

pub use crate::config::LogFormat;

/// Installs the global subscriber. `RUST_LOG` overrides the default filter.
/// Calling it twice is harmless (tests start many servers in one process).
pub fn init(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Logs go to stderr, so that commands printing a result on stdout (a
    // generated key, a hash) stay usable in pipes.
    let builder = fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
