//! Logging set-up. Human-readable lines in development, one JSON object per
//! line in production (what CloudWatch Logs Insights queries best). Lines
//! logged during a call carry its `grpc` span (`method`, `request_id`, see
//! `observe.rs`): the pretty format prefixes them, the JSON format adds
//! `span` and `spans` objects.

use tracing::Subscriber;
use tracing_subscriber::{
    EnvFilter, Layer, fmt::MakeWriter, layer::SubscriberExt as _, registry::LookupSpan,
    util::SubscriberInitExt as _,
};

pub use crate::config::LogFormat;

/// Installs the global subscriber. `RUST_LOG` overrides the default filter.
/// Calling it twice is harmless (tests start many servers in one process).
pub fn init(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Logs go to stderr, so that commands printing a result on stdout (a
    // generated key, a hash) stay usable in pipes.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt_layer(format, std::io::stderr))
        .try_init();
}

/// The log-line layer in `format`, writing to `writer`.
pub fn fmt_layer<S, W>(format: LogFormat, writer: W) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let layer = tracing_subscriber::fmt::layer()
        .with_target(true)
        .with_writer(writer);
    match format {
        LogFormat::Pretty => layer.boxed(),
        LogFormat::Json => layer.json().flatten_event(true).boxed(),
    }
}
