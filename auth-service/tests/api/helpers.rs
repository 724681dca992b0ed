//! Test harness: a real auth-service on `127.0.0.1:0` with a fresh database
//! per test (a SQLite file, or a new PostgreSQL database when
//! `TEST_DATABASE=postgres`), driven through the generated client.

use std::net::SocketAddr;

use auth_service::{config::Config, keys, state::AppState};
use shared::proto::jobsearch::auth::v1::{self as pb, auth_service_client::AuthServiceClient};
pub use shared::testing::{authed, expect_code};
use tokio::{net::TcpListener, sync::oneshot};
use tonic::{Status, transport::Channel};

/// A password that satisfies the strong policy.
pub const PASSWORD: &str = "Corr3ct-Horse-Battery!";

/// A running service and a client connected to it.
pub struct TestApp {
    pub client: AuthServiceClient<Channel>,
    /// Where the service listens (for raw HTTP/1.1 calls, as browsers make).
    pub addr: SocketAddr,
    /// Where its admin server (`/metrics`) listens.
    pub admin_addr: SocketAddr,
    /// The service's state, for checks and set-up a client cannot do.
    pub state: AppState,
    /// The private key the service signs with (to forge tokens in tests).
    pub signing_pem: String,
    stop: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Spawns the service with test defaults.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Spawns the service with extra configuration variables.
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        shared::telemetry::init(shared::telemetry::LogFormat::Pretty, "debug,sqlx=warn");
    }
    let dir = tempfile::tempdir().unwrap();
    let signing_pem = keys::generate_pem().unwrap();
    let mut vars: Vec<(String, String)> = vec![
        ("AUTH_DATA_DIR".into(), dir.path().display().to_string()),
        ("AUTH_SIGNING_KEY".into(), signing_pem.clone()),
        // Cheap hashing keeps the suite fast; production cost is benchmarked.
        ("AUTH_ARGON2_MEMORY_KIB".into(), "1024".into()),
        ("AUTH_ARGON2_ITERATIONS".into(), "1".into()),
        ("AUTH_DATABASE_MAX_CONNECTIONS".into(), "8".into()),
    ];
    if let Some(url) = shared::testing::database_url("auth_test").await {
        vars.push(("AUTH_DATABASE_URL".into(), url));
    }
    // An override replaces the default of the same name.
    vars.retain(|(name, _)| !overrides.iter().any(|(o, _)| o == name));
    vars.extend(
        overrides
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let config = Config::from_vars(vars).unwrap();
    let state = AppState::build(config).await.unwrap();
    // Prove which backend the test really runs on.
    let backend = state.db.acquire().await.unwrap().backend_name().to_owned();
    assert_eq!(backend, shared::testing::expected_backend());

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let admin = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let admin_addr = admin.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(auth_service::run_with_admin(
        listener,
        Some(admin),
        state.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    let client = AuthServiceClient::connect(format!("http://{addr}"))
        .await
        .unwrap();
    TestApp {
        client,
        addr,
        admin_addr,
        state,
        signing_pem,
        stop: Some(stop),
        _dir: dir,
    }
}

impl TestApp {
    /// What Prometheus would scrape from the admin port now.
    pub async fn metrics(&self) -> String {
        let response =
            shared::testing::http1::request(self.admin_addr, "GET", "/metrics", &[], b"").await;
        assert_eq!(response.status, 200, "{response:?}");
        String::from_utf8(response.body).unwrap()
    }

    /// Registers `username` with `<username>@example.com` and [`PASSWORD`].
    pub async fn register(&self, username: &str) -> pb::User {
        self.client
            .clone()
            .register(pb::RegisterRequest {
                username: username.into(),
                email: format!("{username}@example.com"),
                first_name: "Test".into(),
                last_name: "User".into(),
                password: PASSWORD.into(),
            })
            .await
            .unwrap()
            .into_inner()
            .user
            .unwrap()
    }

    /// Logs in and returns the tokens.
    pub async fn login(&self, username: &str, password: &str) -> Result<pb::LoginResponse, Status> {
        self.client
            .clone()
            .login(pb::LoginRequest {
                username: username.into(),
                password: password.into(),
            })
            .await
            .map(tonic::Response::into_inner)
    }

    /// Registers and logs in `username`.
    pub async fn signed_up(&self, username: &str) -> pb::LoginResponse {
        self.register(username).await;
        self.login(username, PASSWORD).await.unwrap()
    }

    /// `GetMe` with an access token.
    pub async fn me(&self, access_token: &str) -> Result<pb::User, Status> {
        self.client
            .clone()
            .get_me(authed(pb::GetMeRequest {}, access_token))
            .await
            .map(|r| r.into_inner().user.unwrap())
    }

    /// `RefreshToken`.
    pub async fn refresh(&self, refresh_token: &str) -> Result<pb::RefreshTokenResponse, Status> {
        self.client
            .clone()
            .refresh_token(pb::RefreshTokenRequest {
                refresh_token: refresh_token.into(),
            })
            .await
            .map(tonic::Response::into_inner)
    }
}
