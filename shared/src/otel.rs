//! OpenTelemetry traces, off unless configured with the standard variables:
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`
//! (an OTLP/gRPC collector, e.g. `http://127.0.0.1:4317`) turns export on,
//! `OTEL_SERVICE_NAME` names the service (default: the binary's name) and
//! `OTEL_SDK_DISABLED=true` turns it off again.
//!
//! Trace context travels as W3C `traceparent`/`tracestate` metadata: the
//! server layer (`observe.rs`) continues an incoming one, and outgoing calls
//! (the jobs-service's `GetJwks`, `IssueServiceToken`, `WatchRevocations`)
//! carry the current span's. The provider is a value the binary owns, not
//! a global: only the tracing layer holds a tracer from it.

use anyhow::Context as _;
use http::HeaderMap;
use opentelemetry::{
    propagation::{Extractor, Injector, TextMapPropagator as _},
    trace::TracerProvider as _,
};
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// The tracer provider: export stops, after a flush, when it is shut down.
pub type TracerProvider = SdkTracerProvider;

/// The collector endpoint and service name, from the environment; `None`
/// when export is off.
pub fn endpoint_from_env(default_service: &str) -> Option<(String, String)> {
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if var("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return None;
    }
    let endpoint =
        var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").or_else(|| var("OTEL_EXPORTER_OTLP_ENDPOINT"))?;
    let service = var("OTEL_SERVICE_NAME").unwrap_or_else(|| default_service.to_owned());
    Some((endpoint, service))
}

/// A provider exporting spans in batches to the OTLP/gRPC collector at
/// `endpoint`. Call it inside the tokio runtime (the exporter's channel
/// lives there); connecting is lazy, so a collector that is down costs
/// dropped spans, never a failed start or a blocked call.
pub fn provider(endpoint: &str, service: &str) -> anyhow::Result<SdkTracerProvider> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build()
        .context("OTEL_EXPORTER_OTLP_ENDPOINT: cannot build the OTLP exporter")?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name(service.to_owned())
                .build(),
        )
        .build())
}

/// The tracing layer that turns spans into OpenTelemetry spans.
pub fn layer<S>(provider: &SdkTracerProvider) -> impl tracing_subscriber::Layer<S> + use<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracing_opentelemetry::layer().with_tracer(provider.tracer("jobsearch"))
}

/// Makes `span` a child of the trace context in `headers` (`traceparent`),
/// if there is one. Without trace export this does nothing.
pub fn set_remote_parent(span: &Span, headers: &HeaderMap) {
    if !headers.contains_key("traceparent") {
        return;
    }
    let context = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
    // Fails only when no OpenTelemetry layer is installed: nothing to join.
    let _ = span.set_parent(context);
}

/// Adds the current span's trace context to outgoing call metadata.
pub fn inject(metadata: &mut MetadataMap) {
    let context = Span::current().context();
    TraceContextPropagator::new().inject_context(&context, &mut MetadataInjector(metadata));
}

/// A request for `message` carrying the current span's trace context.
pub fn traced<T>(message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    inject(request.metadata_mut());
    request
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

struct MetadataInjector<'a>(&'a mut MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(key), Ok(value)) = (
            MetadataKey::from_bytes(key.as_bytes()),
            MetadataValue::try_from(value.as_str()),
        ) {
            self.0.insert(key, value);
        }
    }
}
