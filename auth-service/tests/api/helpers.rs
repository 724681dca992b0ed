//! Test harness: a real auth-service on `127.0.0.1:0` with a fresh database
//! per test (a SQLite file, or a new PostgreSQL database when
//! `TEST_DATABASE=postgres`), driven through the generated client.

use auth_service::{config::Config, keys, state::AppState};
use shared::proto::jobsearch::auth::v1::{self as pb, auth_service_client::AuthServiceClient};
use sqlx::{Connection as _, Executor as _};
use tokio::{net::TcpListener, sync::oneshot};
use tonic::{Code, Request, Status, transport::Channel};

/// A password that satisfies the strong policy.
pub const PASSWORD: &str = "Corr3ct-Horse-Battery!";

/// A running service and a client connected to it.
pub struct TestApp {
    pub client: AuthServiceClient<Channel>,
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
    if let Some(url) = test_database_url().await {
        vars.push(("AUTH_DATABASE_URL".into(), url));
    }
    vars.extend(
        overrides
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let config = Config::from_vars(vars).unwrap();
    let state = AppState::build(config).await.unwrap();
    // Prove which backend the test really runs on.
    let backend = state.db.acquire().await.unwrap().backend_name().to_owned();
    let expected = match std::env::var("TEST_DATABASE").as_deref() {
        Ok("postgres") => "PostgreSQL",
        _ => "SQLite",
    };
    assert_eq!(backend, expected);

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(auth_service::run(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    let client = AuthServiceClient::connect(format!("http://{addr}"))
        .await
        .unwrap();
    TestApp {
        client,
        state,
        signing_pem,
        stop: Some(stop),
        _dir: dir,
    }
}

/// With `TEST_DATABASE=postgres`, a fresh database on `TEST_POSTGRES_URL`.
async fn test_database_url() -> Option<String> {
    match std::env::var("TEST_DATABASE").as_deref() {
        Ok("postgres") => {}
        Ok("sqlite") | Err(_) => return None,
        Ok(other) => panic!("TEST_DATABASE must be sqlite or postgres, not {other:?}"),
    }
    let admin = std::env::var("TEST_POSTGRES_URL")
        .expect("TEST_DATABASE=postgres needs TEST_POSTGRES_URL (scripts/test.sh sets it)");
    let name = format!("auth_test_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}

/// Attaches `authorization: Bearer <token>` to a request.
pub fn authed<T>(message: T, token: &str) -> Request<T> {
    let mut request = Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}

/// Asserts the code of a failed call and returns the status.
pub fn expect_code<T: std::fmt::Debug>(result: Result<T, Status>, code: Code) -> Status {
    match result {
        Ok(value) => panic!("expected {code:?}, got success: {value:?}"),
        Err(status) => {
            assert_eq!(status.code(), code, "unexpected status: {status:?}");
            status
        }
    }
}

impl TestApp {
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
