//! OpenTelemetry: both services export their spans to one OTLP collector
//! (a fake one here, in-process), and the trace context crosses the wire:
//! the auth-service's span of the jobs-service's `GetJwks` is a child of the
//! jobs-service's `fetch_jwks` span, in the same trace; and a caller's
//! `traceparent` is continued by the jobs-service.
//!
//! Each service runs on a thread of its own, with its own subscriber and
//! tracer provider (as two processes would), so the collector sees two
//! `service.name`s and a shared trace id can only come from propagation.
//!
//! A test binary of its own: thread-scoped subscribers are reliable only
//! without other tests' threads racing to register the same callsites.

// Panicking on an unexpected value is how a test fails.
#![allow(clippy::unwrap_used)]

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use opentelemetry_proto::tonic::{
    collector::trace::v1::{
        ExportTraceServiceRequest, ExportTraceServiceResponse,
        trace_service_server::{TraceService, TraceServiceServer},
    },
    common::v1::any_value::Value,
};
use shared::proto::jobsearch::jobs::v1::{self as pb, jobs_service_client::JobsServiceClient};
use tokio::{net::TcpListener, sync::oneshot};
use tonic::{Code, Request, Response, Status};
use tracing_subscriber::layer::SubscriberExt as _;

use shared::testing::expect_code;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

/// The fake collector: keeps every export request.
#[derive(Clone, Default)]
struct Collector(Arc<Mutex<Vec<ExportTraceServiceRequest>>>);

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        self.0.lock().unwrap().push(request.into_inner());
        Ok(Response::new(ExportTraceServiceResponse::default()))
    }
}

/// One received span, flattened.
#[derive(Debug)]
struct Received {
    service: String,
    name: String,
    method: Option<String>,
    trace_id: Vec<u8>,
    span_id: Vec<u8>,
    parent_span_id: Vec<u8>,
}

fn string_attribute(
    attributes: &[opentelemetry_proto::tonic::common::v1::KeyValue],
    key: &str,
) -> Option<String> {
    attributes.iter().find(|kv| kv.key == key).and_then(|kv| {
        match kv.value.as_ref()?.value.as_ref()? {
            Value::StringValue(s) => Some(s.clone()),
            _ => None,
        }
    })
}

impl Collector {
    fn spans(&self) -> Vec<Received> {
        let mut spans = Vec::new();
        for request in self.0.lock().unwrap().iter() {
            for resource_spans in &request.resource_spans {
                let service = resource_spans
                    .resource
                    .as_ref()
                    .and_then(|r| string_attribute(&r.attributes, "service.name"))
                    .unwrap_or_default();
                for scope in &resource_spans.scope_spans {
                    for span in &scope.spans {
                        spans.push(Received {
                            service: service.clone(),
                            name: span.name.clone(),
                            method: string_attribute(&span.attributes, "method"),
                            trace_id: span.trace_id.clone(),
                            span_id: span.span_id.clone(),
                            parent_span_id: span.parent_span_id.clone(),
                        });
                    }
                }
            }
        }
        spans
    }
}

/// A subscriber exporting to the collector as `service`, installed for this
/// thread until the guard drops; the provider must be flushed at the end.
fn traced_thread(
    endpoint: &str,
    service: &str,
) -> (
    tracing::subscriber::DefaultGuard,
    shared::otel::TracerProvider,
) {
    let provider = shared::otel::provider(endpoint, service).unwrap();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("info"))
        .with(shared::otel::layer(&provider));
    (tracing::subscriber::set_default(subscriber), provider)
}

/// Flushes and stops a provider off the runtime thread (the flush blocks
/// until the exporter, driven by this runtime, has sent everything).
async fn flush(provider: shared::otel::TracerProvider) {
    tokio::task::spawn_blocking(move || provider.shutdown())
        .await
        .unwrap()
        .unwrap();
}

/// Runs an auth-service on a thread of its own until `stop` fires.
fn auth_on_its_own_thread(
    endpoint: String,
    ready: oneshot::Sender<SocketAddr>,
    stop: oneshot::Receiver<()>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let (guard, provider) = traced_thread(&endpoint, "auth-service");
            let dir = tempfile::tempdir().unwrap();
            let mut vars = vec![
                ("AUTH_DATA_DIR".to_owned(), dir.path().display().to_string()),
                (
                    "AUTH_SIGNING_KEY".to_owned(),
                    auth_service::keys::generate_pem().unwrap(),
                ),
                ("AUTH_ARGON2_MEMORY_KIB".to_owned(), "1024".to_owned()),
                ("AUTH_ARGON2_ITERATIONS".to_owned(), "1".to_owned()),
            ];
            if let Some(url) = shared::testing::database_url("auth_test").await {
                vars.push(("AUTH_DATABASE_URL".to_owned(), url));
            }
            let config = auth_service::config::Config::from_vars(vars).unwrap();
            let state = auth_service::state::AppState::build(config).await.unwrap();
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            ready.send(listener.local_addr().unwrap()).unwrap();
            auth_service::run(listener, state, async move {
                let _ = stop.await;
            })
            .await
            .unwrap();
            drop(guard);
            flush(provider).await;
        });
    })
}

#[tokio::test]
async fn both_services_export_spans_of_one_trace_to_the_collector() {
    let collector = Collector::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(collector.clone()))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );

    let (ready, auth_addr) = oneshot::channel();
    let (stop_auth, auth_stopped) = oneshot::channel();
    let auth = auth_on_its_own_thread(endpoint.clone(), ready, auth_stopped);
    let auth_addr = auth_addr.await.unwrap();

    // The jobs-service on this thread, fetching the keys from the auth-service.
    let (guard, provider) = traced_thread(&endpoint, "jobs-service");
    let dir = tempfile::tempdir().unwrap();
    let mut vars = vec![
        ("JOBS_DATA_DIR".to_owned(), dir.path().display().to_string()),
        ("JOBS_AUTH_URL".to_owned(), format!("http://{auth_addr}")),
    ];
    if let Some(url) = shared::testing::database_url("jobs_test").await {
        vars.push(("JOBS_DATABASE_URL".to_owned(), url));
    }
    let config = jobs_service::config::Config::from_vars(vars).unwrap();
    let state = jobs_service::state::AppState::build(config).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jobs_addr = listener.local_addr().unwrap();
    let (stop_jobs, jobs_stopped) = oneshot::channel::<()>();
    let jobs = tokio::spawn(jobs_service::run(listener, state, async move {
        let _ = jobs_stopped.await;
    }));
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{jobs_addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    // SERVING once the keys arrived: GetJwks has been answered.
    wait_until_serving(&channel, "jobsearch.jobs.v1.JobsService").await;

    // A caller's trace context is continued (even by a refused call).
    let caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let mut request = Request::new(pb::ListJobSitesRequest::default());
    request.metadata_mut().insert(
        "traceparent",
        format!("00-{caller_trace}-{caller_span}-01")
            .parse()
            .unwrap(),
    );
    let refused = JobsServiceClient::new(channel)
        .list_job_sites(request)
        .await;
    expect_code(refused, Code::Unauthenticated);

    let _ = stop_jobs.send(());
    jobs.await.unwrap().unwrap();
    drop(guard);
    flush(provider).await;
    let _ = stop_auth.send(());
    tokio::task::spawn_blocking(move || auth.join().unwrap())
        .await
        .unwrap();

    let spans = collector.spans();
    let fetches: Vec<_> = spans
        .iter()
        .filter(|s| s.service == "jobs-service" && s.name == "fetch_jwks")
        .collect();
    assert!(!fetches.is_empty(), "no fetch_jwks span in {spans:#?}");
    let served = spans
        .iter()
        .find(|s| {
            s.service == "auth-service"
                && s.method.as_deref() == Some("/jobsearch.auth.v1.AuthService/GetJwks")
        })
        .unwrap_or_else(|| panic!("no GetJwks span from the auth-service in {spans:#?}"));
    assert!(
        fetches
            .iter()
            .any(|f| f.trace_id == served.trace_id && f.span_id == served.parent_span_id),
        "the auth-service's GetJwks span is not a child of a fetch_jwks span: {spans:#?}"
    );

    let continued = spans
        .iter()
        .find(|s| s.method.as_deref() == Some("/jobsearch.jobs.v1.JobsService/ListJobSites"))
        .unwrap_or_else(|| panic!("no ListJobSites span in {spans:#?}"));
    assert_eq!(continued.service, "jobs-service");
    assert_eq!(hex(&continued.trace_id), caller_trace);
    assert_eq!(hex(&continued.parent_span_id), caller_span);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Waits until health reports `service` SERVING.
async fn wait_until_serving(channel: &tonic::transport::Channel, service: &str) {
    let mut health = HealthClient::new(channel.clone());
    let check = HealthCheckRequest {
        service: service.into(),
    };
    let ready = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while !matches!(
            health
                .check(check.clone())
                .await
                .map(|r| r.into_inner().status()),
            Ok(ServingStatus::Serving)
        ) {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(ready.is_ok(), "{service} never became ready");
}
