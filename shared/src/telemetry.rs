//! Logging set-up. Human-readable lines in development, one JSON object per
//! line in production (what CloudWatch Logs Insights queries best). Lines
//! logged during a call carry its `grpc` span (`method`, `request_id`, see
//! `observe.rs`): the pretty format prefixes them, the JSON format adds
//! `span` and `spans` objects. Spans are also exported as OpenTelemetry
//! traces when configured (`otel.rs`).

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

/// Installs the global subscriber like [`init`], plus OpenTelemetry trace
/// export when the environment asks for it (`otel.rs`; `default_service`
/// is the service name unless `OTEL_SERVICE_NAME` says otherwise). Call it
/// inside the tokio runtime; keep the result and shut it down at exit so
/// that the last spans are sent.
pub fn init_with_traces(
    format: LogFormat,
    default_filter: &str,
    default_service: &str,
) -> anyhow::Result<Telemetry> {
    let exporting = crate::otel::endpoint_from_env(default_service);
    let provider = match &exporting {
        Some((endpoint, service)) => Some(crate::otel::provider(endpoint, service)?),
        None => None,
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt_layer(format, std::io::stderr))
        .with(provider.as_ref().map(crate::otel::layer))
        .try_init();
    if let Some((endpoint, service)) = exporting {
        tracing::info!(%endpoint, %service, "exporting traces over OTLP");
    }
    Ok(Telemetry { provider })
}

/// What [`init_with_traces`] started: flushes pending spans at shutdown.
#[derive(Debug)]
pub struct Telemetry {
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still buffered and stops exporting. The flush blocks,
    /// so it runs on the blocking pool while the runtime drives the exporter.
    pub async fn shutdown(self) {
        if let Some(provider) = self.provider {
            let flushed = tokio::task::spawn_blocking(move || provider.shutdown()).await;
            if let Ok(Err(error)) = flushed {
                eprintln!("trace export did not shut down cleanly: {error}");
            }
        }
    }
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
