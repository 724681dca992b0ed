//! Storage: the connection pool, migrations, and SQL per table.
//!
//! sqlx's `Any` driver runs the same portable SQL on SQLite (the zero-setup
//! default) and PostgreSQL (production, several replicas). Placeholders are
//! `$1`-style, which both drivers accept. Write transactions start with a
//! write so that SQLite takes its lock up front and waits instead of failing.

pub mod purge;
pub mod sessions;
pub mod throttle;
pub mod users;

use std::time::Duration;

use anyhow::Context;
use secrecy::ExposeSecret;
use sqlx::{
    Any, AnyPool, Connection as _, Executor as _,
    any::{AnyPoolOptions, install_default_drivers},
};

use crate::config::Config;

/// The embedded migrations, applied at start.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A database handle.
pub type Pool = AnyPool;
/// An open transaction.
pub type Tx = sqlx::Transaction<'static, Any>;

/// Opens the pool (creating the SQLite file and its folder if needed) and
/// applies pending migrations.
pub async fn connect(config: &Config) -> anyhow::Result<Pool> {
    install_default_drivers();
    let url = match &config.database_url {
        Some(url) => url.expose_secret().to_owned(),
        None => {
            std::fs::create_dir_all(&config.data_dir).with_context(|| {
                format!("AUTH_DATA_DIR: cannot create {}", config.data_dir.display())
            })?;
            format!(
                "sqlite://{}?mode=rwc",
                config.data_dir.join("auth.db").display()
            )
        }
    };
    if !(url.starts_with("sqlite:")
        || url.starts_with("postgres:")
        || url.starts_with("postgresql:"))
    {
        anyhow::bail!("AUTH_DATABASE_URL must start with sqlite: or postgres:");
    }
    let pool = AnyPoolOptions::new()
        .max_connections(config.database_max_connections)
        .acquire_timeout(Duration::from_secs(config.database_timeout_secs))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                if conn.backend_name() == "SQLite" {
                    // WAL lets readers proceed during a write; NORMAL sync is
                    // durable across application crashes, the usual WAL pairing.
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
                        .await?;
                }
                Ok(())
            })
        })
        // The URL may hold a password: never put it in an error message.
        .connect(&url)
        .await
        .context("AUTH_DATABASE_URL: cannot connect to the database")?;
    MIGRATOR
        .run(&pool)
        .await
        .context("applying database migrations")?;
    Ok(pool)
}

/// Whether the database answers a trivial query.
pub async fn ping(pool: &Pool) -> bool {
    match pool.acquire().await {
        Ok(mut conn) => conn.ping().await.is_ok(),
        Err(_) => false,
    }
}

/// A boolean column, stored as BIGINT 0/1 because sqlx's `Any` driver cannot
/// decode SQLite booleans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<i64> for Flag {
    fn from(value: i64) -> Self {
        Self(value != 0)
    }
}

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
