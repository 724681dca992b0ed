//! Test harness: a real auth-service and a real jobs-service, in-process on
//! `127.0.0.1:0`, with fresh databases per test (SQLite files, or new
//! PostgreSQL databases when `TEST_DATABASE=postgres`). The jobs-service
//! fetches the auth-service's keys and follows its revocation feed over
//! gRPC, exactly as deployed. Tests can add replicas of either service and
//! restart the auth-service.

use std::{net::SocketAddr, time::Duration};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use prost_types::Timestamp;
use shared::proto::jobsearch::{
    auth::v1::{self as auth_pb, auth_service_client::AuthServiceClient},
    jobs::v1::jobs_service_client::JobsServiceClient,
};
pub use shared::testing::{authed, expect_code};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

/// A password that satisfies the strong policy.
pub const PASSWORD: &str = "Corr3ct-Horse-Battery!";

/// The one browser origin the jobs-service allows (`JOBS_CORS_ALLOWED_ORIGINS`).
pub const ALLOWED_ORIGIN: &str = "http://localhost:5173";

/// The jobs-service's service client at the auth-service.
pub const CLIENT_ID: &str = "jobs-service";
pub const CLIENT_SECRET: &str = "test-client-secret-0123456789";

type Server = (
    oneshot::Sender<()>,
    JoinHandle<anyhow::Result<()>>,
    auth_service::state::AppState,
);

/// Both services and clients connected to them.
pub struct TestApp {
    /// Where the jobs-service listens.
    pub jobs_addr: SocketAddr,
    /// Where the jobs-service's and the first auth-service's admin servers
    /// (`/metrics`) listen.
    pub jobs_admin_addr: SocketAddr,
    pub auth_admin_addr: SocketAddr,
    pub jobs: JobsServiceClient<Channel>,
    pub auth: AuthServiceClient<Channel>,
    /// The jobs-service's state, for checks a client cannot make.
    pub jobs_state: jobs_service::state::AppState,
    /// The private key the auth-service signs with (to forge tokens).
    pub auth_signing_pem: String,
    /// Where the first auth-service listens.
    pub auth_addr: SocketAddr,
    /// The configuration every auth-service replica of this app shares.
    auth_vars: Vec<(String, String)>,
    /// The configuration every jobs-service replica shares, minus its data.
    jobs_vars: Vec<(String, String)>,
    /// The first auth-service, which `restart_auth` stops and starts.
    auth_server: Option<Server>,
    stops: Vec<oneshot::Sender<()>>,
    dirs: Vec<tempfile::TempDir>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((stop, _, _)) = self.auth_server.take() {
            let _ = stop.send(());
        }
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

/// A running jobs-service replica.
pub struct JobsReplica {
    pub addr: SocketAddr,
    pub admin_addr: SocketAddr,
    pub client: JobsServiceClient<Channel>,
    pub state: jobs_service::state::AppState,
}

fn vars(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// Extra configuration for [`spawn_app_with`]; a variable given here
/// replaces the test default of the same name (including the database URL).
#[derive(Debug, Default)]
pub struct Overrides {
    pub auth: Vec<(String, String)>,
    pub jobs: Vec<(String, String)>,
}

/// `vars` with `overrides` replacing entries of the same name.
fn merged(
    mut vars: Vec<(String, String)>,
    overrides: &[(String, String)],
) -> Vec<(String, String)> {
    vars.retain(|(name, _)| !overrides.iter().any(|(o, _)| o == name));
    vars.extend(overrides.iter().cloned());
    vars
}

/// Starts one auth-service and one jobs-service.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Overrides::default()).await
}

/// Starts one auth-service and one jobs-service with `overrides`.
pub async fn spawn_app_with(overrides: Overrides) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        shared::telemetry::init(
            shared::telemetry::LogFormat::Pretty,
            "debug,sqlx=warn,h2=info,tower=info,hyper=info",
        );
    }
    let auth_dir = tempfile::tempdir().unwrap();
    let auth_signing_pem = auth_service::keys::generate_pem().unwrap();
    let client_hash = auth_service::password::PasswordHasher::new(1024, 1, 1, 1)
        .unwrap()
        .hash(CLIENT_SECRET.into())
        .await
        .unwrap();
    let mut auth_vars = vars(&[
        ("AUTH_DATA_DIR", auth_dir.path().display().to_string()),
        ("AUTH_SIGNING_KEY", auth_signing_pem.clone()),
        // Cheap hashing keeps the suite fast; production cost is benchmarked.
        ("AUTH_ARGON2_MEMORY_KIB", "1024".into()),
        ("AUTH_ARGON2_ITERATIONS", "1".into()),
        ("AUTH_SERVICE_CLIENTS", format!("{CLIENT_ID}:{client_hash}")),
    ]);
    let own_url = overrides
        .auth
        .iter()
        .any(|(name, _)| name == "AUTH_DATABASE_URL");
    if !own_url && let Some(url) = shared::testing::database_url("auth_test").await {
        auth_vars.push(("AUTH_DATABASE_URL".into(), url));
    }
    let auth_vars = merged(auth_vars, &overrides.auth);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let auth_addr = listener.local_addr().unwrap();
    let admin = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let auth_admin_addr = admin.local_addr().unwrap();
    let auth_server = start_auth(&auth_vars, listener, Some(admin)).await;
    let jobs_vars = vars(&[
        ("JOBS_JWKS_MIN_REFETCH_SECS", "1".into()),
        ("JOBS_SERVICE_CLIENT_ID", CLIENT_ID.into()),
        ("JOBS_SERVICE_CLIENT_SECRET", CLIENT_SECRET.into()),
        ("JOBS_CORS_ALLOWED_ORIGINS", ALLOWED_ORIGIN.into()),
    ]);
    let jobs_vars = merged(jobs_vars, &overrides.jobs);
    let (replica, jobs_dir, jobs_stop) = start_jobs(&jobs_vars, auth_addr).await;
    TestApp {
        jobs_addr: replica.addr,
        jobs_admin_addr: replica.admin_addr,
        auth_admin_addr,
        jobs: replica.client,
        auth: AuthServiceClient::connect(format!("http://{auth_addr}"))
            .await
            .unwrap(),
        jobs_state: replica.state,
        auth_signing_pem,
        auth_addr,
        auth_vars,
        jobs_vars,
        auth_server: Some(auth_server),
        stops: vec![jobs_stop],
        dirs: vec![auth_dir, jobs_dir],
    }
}

/// Starts a jobs-service with its own data directory (and database)
/// following the auth-service at `auth_addr`; returns once it is ready.
async fn start_jobs(
    jobs_vars: &[(String, String)],
    auth_addr: SocketAddr,
) -> (JobsReplica, tempfile::TempDir, oneshot::Sender<()>) {
    let dir = tempfile::tempdir().unwrap();
    let mut vars = jobs_vars.to_vec();
    if !vars.iter().any(|(name, _)| name == "JOBS_DATA_DIR") {
        vars.push(("JOBS_DATA_DIR".into(), dir.path().display().to_string()));
    }
    vars.push(("JOBS_AUTH_URL".into(), format!("http://{auth_addr}")));
    let own_url = vars.iter().any(|(name, _)| name == "JOBS_DATABASE_URL");
    if !own_url && let Some(url) = shared::testing::database_url("jobs_test").await {
        vars.push(("JOBS_DATABASE_URL".into(), url));
    }
    let config = jobs_service::config::Config::from_vars(vars).unwrap();
    let state = jobs_service::state::AppState::build(config).await.unwrap();
    let backend = state.db.acquire().await.unwrap().backend_name().to_owned();
    assert_eq!(backend, shared::testing::expected_backend());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let admin = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let admin_addr = admin.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(jobs_service::run_with_admin(
        listener,
        Some(admin),
        state.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    let channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    // Ready once it has the keys and follows the revocation feed.
    wait_until_serving(&channel, "jobsearch.jobs.v1.JobsService").await;
    wait_until_serving(&channel, "jobsearch.jobs.v1.RevocationFeed").await;
    let replica = JobsReplica {
        addr,
        admin_addr,
        client: JobsServiceClient::new(channel),
        state,
    };
    (replica, dir, stop)
}

/// Starts an auth-service on `listener` (and `admin`) with `vars`.
async fn start_auth(
    vars: &[(String, String)],
    listener: TcpListener,
    admin: Option<TcpListener>,
) -> Server {
    let config = auth_service::config::Config::from_vars(vars.to_vec()).unwrap();
    let state = auth_service::state::AppState::build(config).await.unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(auth_service::run_with_admin(
        listener,
        admin,
        state.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    (stop, task, state)
}

impl TestApp {
    /// What Prometheus would scrape from the admin port at `admin_addr`.
    pub async fn metrics(&self, admin_addr: SocketAddr) -> String {
        let response =
            shared::testing::http1::request(admin_addr, "GET", "/metrics", &[], b"").await;
        assert_eq!(response.status, 200, "{response:?}");
        String::from_utf8(response.body).unwrap()
    }

    /// Starts another jobs-service replica, with its own database, following
    /// the auth-service at `auth_addr`; returns once it is ready.
    pub async fn jobs_replica(&mut self, auth_addr: SocketAddr) -> JobsReplica {
        let (replica, dir, stop) = start_jobs(&self.jobs_vars, auth_addr).await;
        self.dirs.push(dir);
        self.stops.push(stop);
        replica
    }

    /// Disables an account with the operator command.
    pub async fn disable_user(&self, username: &str) {
        let (_, _, state) = self
            .auth_server
            .as_ref()
            .expect("the auth-service is running");
        auth_service::admin::disable_user(state, username)
            .await
            .unwrap();
    }

    /// The first auth-service's database, for checks a client cannot make.
    pub fn auth_db(&self) -> auth_service::db::Pool {
        let (_, _, state) = self
            .auth_server
            .as_ref()
            .expect("the auth-service is running");
        state.db.clone()
    }

    /// Starts another auth-service replica on the same database.
    pub async fn auth_replica(&mut self) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, _task, _state) = start_auth(&self.auth_vars, listener, None).await;
        self.stops.push(stop);
        addr
    }

    /// Stops the first auth-service, runs `while_down`, then starts it again
    /// on the same address and database.
    pub async fn restart_auth<F: std::future::Future<Output = ()>>(&mut self, while_down: F) {
        let (stop, task, _) = self
            .auth_server
            .take()
            .expect("the auth-service is running");
        let _ = stop.send(());
        task.await.unwrap().unwrap();
        while_down.await;
        let listener = TcpListener::bind(self.auth_addr).await.unwrap();
        self.auth_server = Some(start_auth(&self.auth_vars, listener, None).await);
    }

    /// The environment a jobs-service binary needs to join this app; its
    /// listen address and data directory are the caller's to add.
    pub fn jobs_binary_vars(&self) -> Vec<(String, String)> {
        let mut vars = self.jobs_vars.clone();
        vars.push(("JOBS_AUTH_URL".into(), format!("http://{}", self.auth_addr)));
        // Any free port: two binaries of concurrent tests (or a local run)
        // on the default 9052 would make one of them fail to start.
        vars.push(("JOBS_ADMIN_LISTEN_ADDR".into(), "127.0.0.1:0".into()));
        vars
    }

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

/// Reports that `test` cannot run here and why. Written to the process's
/// stderr directly, past libtest's capture, so that the skip shows in every
/// run instead of passing silently.
pub fn skip(test: &str, reason: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {reason}");
}

/// Readiness, not timing: waits until health reports `service` SERVING.
pub async fn wait_until_serving(channel: &Channel, service: &str) {
    let mut health = HealthClient::new(channel.clone());
    let check = HealthCheckRequest {
        service: service.into(),
    };
    let ready = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let status = health
                .check(check.clone())
                .await
                .map(|r| r.into_inner().status());
            if matches!(status, Ok(ServingStatus::Serving)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(ready.is_ok(), "{service} never became ready");
}
