//! Test helpers (feature `testing`): a fresh database per test, raw
//! HTTP/1.1 for browser-like calls, the token attack corpus, searching
//! logs, errors and database files for leaked secrets, and bookkeeping for
//! shutdown tests.

pub mod attacks;
pub mod http1;
pub mod leaks;
pub mod sigterm;

use sqlx::{Connection as _, Executor as _};
use tonic::{Code, Request, Status};

/// With `TEST_DATABASE=postgres`, creates a fresh database on the server at
/// `TEST_POSTGRES_URL` (an admin URL) and returns its URL; with
/// `TEST_DATABASE` unset or `sqlite`, returns `None` (the service then uses a
/// SQLite file in its data directory). Panics on anything else, so a
/// misconfigured run fails instead of silently testing the wrong backend.
pub async fn database_url(prefix: &str) -> Option<String> {
    match std::env::var("TEST_DATABASE").as_deref() {
        Ok("postgres") => {}
        Ok("sqlite") | Err(_) => return None,
        Ok(other) => panic!("TEST_DATABASE must be sqlite or postgres, not {other:?}"),
    }
    let admin = std::env::var("TEST_POSTGRES_URL")
        .expect("TEST_DATABASE=postgres needs TEST_POSTGRES_URL (scripts/test.sh sets it)");
    let name = format!("{prefix}_{}", uuid_like());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("cannot connect to TEST_POSTGRES_URL");
    conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
        .await
        .expect("cannot create a test database");
    let (base, _) = admin
        .rsplit_once('/')
        .expect("TEST_POSTGRES_URL must end with /<database>");
    Some(format!("{base}/{name}"))
}

/// The backend name sqlx reports for what `TEST_DATABASE` selects.
pub fn expected_backend() -> &'static str {
    match std::env::var("TEST_DATABASE").as_deref() {
        Ok("postgres") => "PostgreSQL",
        _ => "SQLite",
    }
}

/// A unique lowercase name part: time plus 64 random bits.
fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}{:016x}", rand::random::<u64>())
}

/// Attaches `authorization: Bearer <token>` to a request.
pub fn authed<T>(message: T, token: &str) -> Request<T> {
    let mut request = Request::new(message);
    let value = format!("Bearer {token}")
        .parse()
        .expect("a token is valid metadata");
    request.metadata_mut().insert("authorization", value);
    request
}

/// Asserts that a call failed with `code` and returns the status.
pub fn expect_code<T: std::fmt::Debug>(result: Result<T, Status>, code: Code) -> Status {
    match result {
        Ok(value) => panic!("expected {code:?}, got success: {value:?}"),
        Err(status) => {
            assert_eq!(status.code(), code, "unexpected status: {status:?}");
            status
        }
    }
}

/// The value of one exact series (name and labels as rendered) in a
/// Prometheus text exposition, if present.
pub fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}
