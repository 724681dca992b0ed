//! Storage: the connection pool, migrations, and SQL per table.
//!
//! sqlx's `Any` driver runs the same portable SQL on SQLite (the zero-setup
//! default) and PostgreSQL (production, several replicas). Placeholders are
//! `$1`-style, which both drivers accept. Write transactions start with a
//! write so that SQLite takes its lock up front and waits instead of failing.

pub mod purge;
pub mod revocations;
pub mod sessions;
pub mod throttle;
pub mod users;

use std::time::Duration;

use shared::db::DbOptions;
use sqlx::{Any, AnyPool, Connection as _};

use crate::config::Config;

/// The embedded migrations, applied at start.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A database handle.
pub type Pool = AnyPool;
/// An open transaction.
pub type Tx = sqlx::Transaction<'static, Any>;

/// Opens the pool (creating the SQLite file and its folder if needed) and
/// applies pending migrations.
pub async fn connect(config: &Config) -> anyhow::Result<Pools> {
    let options = DbOptions {
        url: config.database_url.as_ref(),
        data_dir: &config.data_dir,
        sqlite_file: "auth.db",
        url_variable: "AUTH_DATABASE_URL",
        max_connections: config.database_max_connections(),
        acquire_timeout: Duration::from_secs(config.database_timeout_secs),
    };
    shared::db::connect(&options, &MIGRATOR).await
}

/// Whether the database answers a trivial query.
pub async fn ping(pool: &Pool) -> bool {
    match pool.acquire().await {
        Ok(mut conn) => conn.ping().await.is_ok(),
        Err(_) => false,
    }
}

pub use shared::db::{Flag, Pools};

/// The name of the unique field a constraint violation is about, if any.
pub fn unique_violation(error: &sqlx::Error) -> Option<&'static str> {
    let sqlx::Error::Database(db) = error else {
        return None;
    };
    if !db.is_unique_violation() {
        return None;
    }
    // PostgreSQL names the constraint; SQLite names the column in its message.
    let text = db.constraint().unwrap_or_else(|| db.message());
    if text.contains("username_key") {
        Some("username")
    } else if text.contains("email_key") {
        Some("email")
    } else {
        None
    }
}
