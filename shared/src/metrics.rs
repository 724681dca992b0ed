//! Prometheus metrics both services record the same way: calls by method and
//! gRPC code with their latency, and token verifications by outcome.
//!
//! Every service owns its [`Registry`] in its state (no global recorder), so
//! tests can run many services in one process and read each one's figures.
//! Label values are bounded: methods come from the served contracts (anything
//! else is `unknown`), codes and outcomes are fixed names. An attacker
//! choosing request paths or tokens therefore cannot grow the series.

use std::{collections::HashMap, sync::Arc, time::Duration};

use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, histogram::Histogram},
};
use prost::Message as _;
use tonic::Code;

pub use prometheus_client::registry::Registry;

/// Latency buckets in seconds: a memory lookup is ~1 ms, an argon2 login
/// ~20-50 ms, a slow report some seconds.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Labels of one call outcome (go-grpc-prometheus names, so existing
/// dashboards and alerts apply).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    /// `jobsearch.auth.v1.AuthService`, or `unknown`.
    pub grpc_service: Arc<str>,
    /// `Login`, or `unknown`.
    pub grpc_method: Arc<str>,
    /// `OK`, `Unauthenticated`, ...
    pub grpc_code: &'static str,
}

/// Labels of one method.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MethodLabels {
    /// `jobsearch.auth.v1.AuthService`, or `unknown`.
    pub grpc_service: Arc<str>,
    /// `Login`, or `unknown`.
    pub grpc_method: Arc<str>,
}

/// A served method, as labels and for logs.
#[derive(Debug, Clone)]
pub(crate) struct Method {
    pub(crate) labels: MethodLabels,
    /// `/package.Service/Method`.
    pub(crate) path: Arc<str>,
}

type HistogramFamily = Family<MethodLabels, Histogram, fn() -> Histogram>;

/// Per-call metrics, recorded by the [`crate::observe`] layer.
#[derive(Debug, Clone)]
pub struct GrpcMetrics {
    handled: Family<CallLabels, Counter>,
    handling: HistogramFamily,
    /// `/package.Service/Method` → labels, for every method a server may serve.
    known: Arc<HashMap<String, Method>>,
    unknown: Method,
}

impl GrpcMetrics {
    /// Registers the call metrics in `registry`.
    pub fn register(registry: &mut Registry) -> Self {
        let handled = Family::<CallLabels, Counter>::default();
        registry.register(
            "grpc_server_handled",
            "Calls completed, by method and gRPC status code",
            handled.clone(),
        );
        let handling = HistogramFamily::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "grpc_server_handling",
            "Time from the request's arrival to the call's end (trailers), by method",
            prometheus_client::registry::Unit::Seconds,
            handling.clone(),
        );
        let unknown = Method {
            labels: MethodLabels {
                grpc_service: "unknown".into(),
                grpc_method: "unknown".into(),
            },
            path: "unknown".into(),
        };
        Self {
            handled,
            handling,
            known: Arc::new(known_methods()),
            unknown,
        }
    }

    /// The method a request path names, or `unknown`.
    pub(crate) fn method(&self, path: &str) -> &Method {
        self.known.get(path).unwrap_or(&self.unknown)
    }

    /// Records one finished call.
    pub(crate) fn record(&self, method: &Method, code: Code, elapsed: Duration) {
        self.handled
            .get_or_create(&CallLabels {
                grpc_service: method.labels.grpc_service.clone(),
                grpc_method: method.labels.grpc_method.clone(),
                grpc_code: code_name(code),
            })
            .inc();
        self.handling
            .get_or_create(&method.labels)
            .observe(elapsed.as_secs_f64());
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// Every method of the contracts, health and reflection. Descriptor sets are
/// compiled in, so decoding cannot fail at run time; a failure would only
/// leave methods labelled `unknown`.
fn known_methods() -> HashMap<String, Method> {
    let sets = [
        crate::proto::FILE_DESCRIPTOR_SET,
        tonic_health::pb::FILE_DESCRIPTOR_SET,
        tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
        tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
    ];
    let mut known = HashMap::new();
    for bytes in sets {
        let Ok(set) = prost_types::FileDescriptorSet::decode(bytes) else {
            continue;
        };
        for file in set.file {
            let package = file.package.unwrap_or_default();
            for service in file.service {
                let service_name: Arc<str> =
                    format!("{package}.{}", service.name.unwrap_or_default()).into();
                for method in service.method {
                    let name: Arc<str> = method.name.unwrap_or_default().into();
                    let path: Arc<str> = format!("/{service_name}/{name}").into();
                    known.insert(
                        path.to_string(),
                        Method {
                            labels: MethodLabels {
                                grpc_service: service_name.clone(),
                                grpc_method: name,
                            },
                            path,
                        },
                    );
                }
            }
        }
    }
    known
}

/// The canonical name of a gRPC status code, as gRPC's own tooling writes it.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "Canceled",
        Code::Unknown => "Unknown",
        Code::InvalidArgument => "InvalidArgument",
        Code::DeadlineExceeded => "DeadlineExceeded",
        Code::NotFound => "NotFound",
        Code::AlreadyExists => "AlreadyExists",
        Code::PermissionDenied => "PermissionDenied",
        Code::ResourceExhausted => "ResourceExhausted",
        Code::FailedPrecondition => "FailedPrecondition",
        Code::Aborted => "Aborted",
        Code::OutOfRange => "OutOfRange",
        Code::Unimplemented => "Unimplemented",
        Code::Internal => "Internal",
        Code::Unavailable => "Unavailable",
        Code::DataLoss => "DataLoss",
        Code::Unauthenticated => "Unauthenticated",
    }
}

/// Labels of a token verification.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// `ok`, or why the token was refused (`expired`, `bad_signature`, ...).
    pub outcome: &'static str,
}

/// Access-token verifications by outcome.
#[derive(Debug, Clone, Default)]
pub struct TokenVerifications(Family<OutcomeLabels, Counter>);

impl TokenVerifications {
    /// Registers the counter in `registry`.
    pub fn register(registry: &mut Registry) -> Self {
        let family = Family::default();
        registry.register(
            "token_verifications",
            "Access-token verifications, by outcome (ok or the reason for refusal)",
            family.clone(),
        );
        Self(family)
    }

    /// Counts one verification.
    pub fn record(&self, outcome: &'static str) {
        self.0.get_or_create(&OutcomeLabels { outcome }).inc();
    }
}

/// The registry in the OpenMetrics text format Prometheus scrapes.
pub fn render(registry: &Registry) -> String {
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut text, registry);
    text
}

/// The `Content-Type` of [`render`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_counted_by_method_and_code_and_unknown_paths_share_one_label() {
        let mut registry = Registry::default();
        let metrics = GrpcMetrics::register(&mut registry);
        let login = metrics
            .method("/jobsearch.auth.v1.AuthService/Login")
            .clone();
        metrics.record(&login, Code::Unauthenticated, Duration::from_millis(3));
        let junk = metrics.method("/evil/../x").clone();
        metrics.record(&junk, Code::Unimplemented, Duration::from_millis(1));
        let text = render(&registry);
        assert!(
            text.contains(
                r#"grpc_server_handled_total{grpc_service="jobsearch.auth.v1.AuthService",grpc_method="Login",grpc_code="Unauthenticated"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"grpc_server_handled_total{grpc_service="unknown",grpc_method="unknown",grpc_code="Unimplemented"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"grpc_server_handling_seconds_count{grpc_service="jobsearch.auth.v1.AuthService",grpc_method="Login"} 1"#),
            "{text}"
        );
        assert!(metrics.known.contains_key("/grpc.health.v1.Health/Check"));
    }
}
