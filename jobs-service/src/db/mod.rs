//! Storage: the connection pool, migrations, and SQL per table.
//!
//! sqlx's `Any` driver runs the same portable SQL on SQLite (the zero-setup
//! default) and PostgreSQL. Placeholders are `$1`-style, which both accept.
//! Every query filters by the owning user's id first.

pub mod job_postings;
pub mod job_sites;
pub mod opportunities;
pub mod reports;

use std::time::Duration;

use shared::db::DbOptions;
use sqlx::{Any, AnyPool};

use crate::config::Config;

pub use shared::db::Flag;

/// The embedded migrations, applied at start.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A database handle.
pub type Pool = AnyPool;
/// An open transaction.
pub type Tx = sqlx::Transaction<'static, Any>;

/// Opens the pool (creating the SQLite file and its folder if needed) and
/// applies pending migrations.
pub async fn connect(config: &Config) -> anyhow::Result<Pool> {
    let options = DbOptions {
        url: config.database_url.as_ref(),
        data_dir: &config.data_dir,
        sqlite_file: "jobs.db",
        url_variable: "JOBS_DATABASE_URL",
        max_connections: config.database_max_connections,
        acquire_timeout: Duration::from_secs(config.database_timeout_secs),
    };
    shared::db::connect(&options, &MIGRATOR).await
}
