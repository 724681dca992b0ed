//! Test harness: a real auth-service and a real jobs-service, in-process on
//! `127.0.0.1:0`, with fresh databases per test (SQLite files, or new
//! PostgreSQL databases when `TEST_DATABASE=postgres`). The jobs-service
//! fetches the auth-service's keys over gRPC, exactly as deployed.

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use prost_types::Timestamp;
use shared::proto::jobsearch::{
    auth::v1::{self as auth_pb, auth_service_client::AuthServiceClient},
    jobs::v1::jobs_service_client::JobsServiceClient,
};
pub use shared::testing::{authed, expect_code};
use tokio::{net::TcpListener, sync::oneshot};
use tonic::transport::Channel;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

/// A password that satisfies the strong policy.
pub const PASSWORD: &str = "Corr3ct-Horse-Battery!";

/// Both services and clients connected to them.
pub struct TestApp {
    /// Where the jobs-service listens.
    pub jobs_addr: std::net::SocketAddr,
    pub jobs: JobsServiceClient<Channel>,
    pub auth: AuthServiceClient<Channel>,
    /// The jobs-service's state, for checks a client cannot make.
    pub jobs_state: jobs_service::state::AppState,
    /// The private key the auth-service signs with (to forge tokens).
    pub auth_signing_pem: String,
    stops: Vec<oneshot::Sender<()>>,
    _dirs: Vec<tempfile::TempDir>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        for stop in self.stops.drain(..) {
            let _ = stop.send(());
        }
    }
}

/// A registered, logged-in user.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub access_token: String,
    pub refresh_token: String,
}

fn vars(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// Starts both services.
pub async fn spawn_app() -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        shared::telemetry::init(
            shared::telemetry::LogFormat::Pretty,
            "debug,sqlx=warn,h2=info",
        );
    }
    let auth_dir = tempfile::tempdir().unwrap();
    let jobs_dir = tempfile::tempdir().unwrap();
    let auth_signing_pem = auth_service::keys::generate_pem().unwrap();
    let mut stops = Vec::new();

    let mut auth_vars = vars(&[
        ("AUTH_DATA_DIR", auth_dir.path().display().to_string()),
        ("AUTH_SIGNING_KEY", auth_signing_pem.clone()),
        // Cheap hashing keeps the suite fast; production cost is benchmarked.
        ("AUTH_ARGON2_MEMORY_KIB", "1024".into()),
        ("AUTH_ARGON2_ITERATIONS", "1".into()),
    ]);
    if let Some(url) = shared::testing::database_url("auth_test").await {
        auth_vars.push(("AUTH_DATABASE_URL".into(), url));
    }
    let auth_config = auth_service::config::Config::from_vars(auth_vars).unwrap();
    let auth_state = auth_service::state::AppState::build(auth_config)
        .await
        .unwrap();
    let (auth_addr, stop) = serve(|listener, shutdown| {
        tokio::spawn(auth_service::run(listener, auth_state, shutdown));
    })
    .await;
    stops.push(stop);

    let mut jobs_vars = vars(&[
        ("JOBS_DATA_DIR", jobs_dir.path().display().to_string()),
        ("JOBS_AUTH_URL", format!("http://{auth_addr}")),
        ("JOBS_JWKS_MIN_REFETCH_SECS", "1".into()),
    ]);
    if let Some(url) = shared::testing::database_url("jobs_test").await {
        jobs_vars.push(("JOBS_DATABASE_URL".into(), url));
    }
    let jobs_config = jobs_service::config::Config::from_vars(jobs_vars).unwrap();
    let jobs_state = jobs_service::state::AppState::build(jobs_config)
        .await
        .unwrap();
    let backend = jobs_state
        .db
        .acquire()
        .await
        .unwrap()
        .backend_name()
        .to_owned();
    assert_eq!(backend, shared::testing::expected_backend());
    let served = jobs_state.clone();
    let (jobs_addr, stop) = serve(|listener, shutdown| {
        tokio::spawn(jobs_service::run(listener, served, shutdown));
    })
    .await;
    stops.push(stop);

    // Readiness, not timing: wait until health says SERVING, which the
    // service reports once its key task has fetched the auth-service's keys.
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{jobs_addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = HealthClient::new(channel.clone());
    let check = HealthCheckRequest {
        service: "jobsearch.jobs.v1.JobsService".into(),
    };
    tokio::time::timeout(Duration::from_secs(10), async {
        while health
            .check(check.clone())
            .await
            .unwrap()
            .into_inner()
            .status()
            != ServingStatus::Serving
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the jobs-service never became ready (no keys from the auth-service?)");
    assert!(jobs_state.keys.has_keys());

    TestApp {
        jobs_addr,
        jobs: JobsServiceClient::connect(format!("http://{jobs_addr}"))
            .await
            .unwrap(),
        auth: AuthServiceClient::connect(format!("http://{auth_addr}"))
            .await
            .unwrap(),
        jobs_state,
        auth_signing_pem,
        stops,
        _dirs: vec![auth_dir, jobs_dir],
    }
}

/// Binds a port, hands the listener and a shutdown future to `start`.
async fn serve(
    start: impl FnOnce(TcpListener, futures::future::BoxFuture<'static, ()>),
) -> (std::net::SocketAddr, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    start(
        listener,
        Box::pin(async move {
            let _ = stopped.await;
        }),
    );
    (addr, stop)
}

impl TestApp {
    /// Registers `username` and logs in.
    pub async fn user(&self, username: &str) -> TestUser {
        let mut auth = self.auth.clone();
        auth.register(auth_pb::RegisterRequest {
            username: username.into(),
            email: format!("{username}@example.com"),
            password: PASSWORD.into(),
            ..Default::default()
        })
        .await
        .unwrap();
        let login = auth
            .login(auth_pb::LoginRequest {
                username: username.into(),
                password: PASSWORD.into(),
            })
            .await
            .unwrap()
            .into_inner();
        TestUser {
            id: login.user.unwrap().id,
            access_token: login.access_token,
            refresh_token: login.refresh_token,
        }
    }

    /// A token for `user` with the claims changed by `edit`, signed with `pem`
    /// (the real key, or a stranger's) under the real key id.
    pub fn forged_token(
        &self,
        user: &TestUser,
        pem: &str,
        edit: impl FnOnce(&mut serde_json::Value),
    ) -> String {
        use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
        let payload = user.access_token.split('.').nth(1).unwrap();
        let mut claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        edit(&mut claims);
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some("at+jwt".into());
        header.kid = jsonwebtoken::decode_header(&user.access_token).unwrap().kid;
        jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_ed_pem(pem.as_bytes()).unwrap(),
        )
        .unwrap()
    }
}

/// A timestamp at `seconds` past the Unix epoch (UTC).
pub fn ts(seconds: i64) -> Timestamp {
    Timestamp { seconds, nanos: 0 }
}

/// The current Unix time.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
