//! Opening a service's database: sqlx's `Any` driver over SQLite (the
//! zero-setup default, a file in the data directory, WAL) or PostgreSQL,
//! with the service's embedded migrations applied.

use std::{path::Path, time::Duration};

use anyhow::Context as _;
use secrecy::{ExposeSecret as _, SecretString};
use sqlx::{
    AnyPool, Executor as _,
    any::{AnyPoolOptions, install_default_drivers},
    migrate::Migrator,
};

/// How to open a service's database.
#[derive(Debug)]
pub struct DbOptions<'a> {
    /// The configured URL, if any; else a SQLite file in `data_dir`.
    pub url: Option<&'a SecretString>,
    /// Where the default SQLite file lives.
    pub data_dir: &'a Path,
    /// File name of the default SQLite database.
    pub sqlite_file: &'a str,
    /// Name of the URL variable, for error messages.
    pub url_variable: &'a str,
    /// Pool size.
    pub max_connections: u32,
    /// How long a call waits for a connection.
    pub acquire_timeout: Duration,
}

/// A service's connections: `reader` for everything, `writer` for writes.
///
/// SQLite takes one writer at a time, and a connection that finds the
/// write lock taken sleeps in SQLite's busy handler (1, 2, 5 ... 100 ms
/// steps) while newer writers may win: under 16 concurrent creates that
/// gave a p99 of 243 ms and a maximum of 1.7 s (docs/benchmarks.md). So on
/// SQLite `writer` is a pool of one connection, which queues writers in
/// order (sqlx's pool is fair) and leaves `reader`'s connections to reads,
/// which WAL never blocks. On PostgreSQL, which locks rows, both are the
/// same pool.
#[derive(Debug, Clone)]
pub struct Pools {
    /// Reads, and writes on PostgreSQL.
    pub reader: AnyPool,
    /// Write transactions and writing statements.
    pub writer: AnyPool,
}

/// Opens the pools (creating the SQLite file and its folder if needed) and
/// applies pending migrations.
pub async fn connect(options: &DbOptions<'_>, migrator: &Migrator) -> anyhow::Result<Pools> {
    install_default_drivers();
    let url = url(options)?;
    let reader = open(options, &url, options.max_connections).await?;
    migrator
        .run(&reader)
        .await
        .context("applying database migrations")?;
    let writer = if url.starts_with("sqlite:") {
        open(options, &url, 1).await?
    } else {
        reader.clone()
    };
    Ok(Pools { reader, writer })
}

/// The configured URL, or the default SQLite file's (its folder created).
fn url(options: &DbOptions<'_>) -> anyhow::Result<String> {
    let url = match options.url {
        Some(url) => url.expose_secret().to_owned(),
        None => {
            std::fs::create_dir_all(options.data_dir).with_context(|| {
                format!(
                    "cannot create the data directory {}",
                    options.data_dir.display()
                )
            })?;
            let file = options.data_dir.join(options.sqlite_file);
            format!("sqlite://{}?mode=rwc", file.display())
        }
    };
    let known = ["sqlite:", "postgres:", "postgresql:"];
    if !known.iter().any(|scheme| url.starts_with(scheme)) {
        anyhow::bail!(
            "{} must start with sqlite: or postgres:",
            options.url_variable
        );
    }
    Ok(url)
}

/// The pool size when none is configured for a database at `url` (none: the
/// default SQLite file). PostgreSQL: 10 (replicas × pool must fit the
/// server's limit). SQLite: two per core, since that pool only reads
/// (`Pools`) and every read runs on a thread of its own: with more, reads
/// time-share the cores and the slowest wait longest; with one per core,
/// cores idle while a reader hands rows over. Measured on 2 cores, 16
/// calls in flight (bench/NOTES.md, session 14): ListJobPostings p99 13.2
/// ms with 10, 8.8 with 4, 12.1 with 2; GetMe 7,500/s with 1, 10,200/s
/// with 4.
pub fn default_max_connections(url: Option<&SecretString>) -> u32 {
    let sqlite = url.is_none_or(|url| url.expose_secret().starts_with("sqlite:"));
    if sqlite {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        u32::try_from(cores.saturating_mul(2)).unwrap_or(u32::MAX)
    } else {
        10
    }
}

/// One pool of up to `max_connections` to `url`.
async fn open(options: &DbOptions<'_>, url: &str, max_connections: u32) -> anyhow::Result<AnyPool> {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(options.acquire_timeout)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                if conn.backend_name() == "SQLite" {
                    // WAL lets readers proceed during a write; NORMAL sync is
                    // durable across application crashes, the usual WAL pairing.
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        // The URL may hold a password: never put it in an error message.
        .connect(url)
        .await
        .with_context(|| format!("{}: cannot connect to the database", options.url_variable))
}

/// A boolean column, stored as BIGINT 0/1 because sqlx's `Any` driver cannot
/// decode SQLite booleans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flag(pub bool);

impl From<i64> for Flag {
    fn from(value: i64) -> Self {
        Self(value != 0)
    }
}

/// Maps sqlx errors that mean "the database cannot be reached or cannot
/// write now" (as opposed to a bug or a constraint) so services can answer
/// `UNAVAILABLE`: an operator or a failover fixes these, not the caller.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                sqlite_unavailable(&code)
            } else {
                postgres_unavailable(&code)
            }
        }
        _ => false,
    }
}

/// SQLite result codes of that kind (reported as the extended code, a
/// number; the primary code is its low byte): READONLY 8, IOERR 10, FULL 13,
/// CANTOPEN 14, i.e. a full or read-only disk or a vanished file.
fn sqlite_unavailable(code: &str) -> bool {
    code.parse::<i32>()
        .is_ok_and(|code| matches!(code & 0xff, 8 | 10 | 13 | 14))
}

/// PostgreSQL SQLSTATEs of that kind: 08 connection exceptions, 53
/// insufficient resources (disk full, out of memory, too many connections),
/// 57P01-57P03 shutting down or not yet accepting connections, 25006
/// read-only transaction (a standby after a failover).
fn postgres_unavailable(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(code, "57P01" | "57P02" | "57P03" | "25006")
}

#[cfg(test)]
mod tests {
    use super::{postgres_unavailable, sqlite_unavailable};

    #[test]
    fn full_read_only_and_shut_down_databases_are_unavailable() {
        // SQLITE_FULL, SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE, CANTOPEN.
        for code in ["13", "1032", "778", "14"] {
            assert!(sqlite_unavailable(code), "{code}");
        }
        // disk_full, admin_shutdown, connection_failure, read-only.
        for code in ["53100", "57P01", "08006", "25006"] {
            assert!(postgres_unavailable(code), "{code}");
        }
    }

    #[test]
    fn bugs_and_conflicts_are_not_unavailable() {
        // SQLITE_CONSTRAINT_UNIQUE, SQLITE_ERROR, SQLITE_BUSY (a lock held
        // past busy_timeout: contention, not an outage).
        for code in ["2067", "1", "5", ""] {
            assert!(!sqlite_unavailable(code), "{code}");
        }
        // unique_violation, syntax_error, serialization_failure.
        for code in ["23505", "42601", "40001", ""] {
            assert!(!postgres_unavailable(code), "{code}");
        }
    }
}
