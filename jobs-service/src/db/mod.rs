//! Storage: the connection pool, migrations, and SQL per table.
//!
//! sqlx's `Any` driver runs the same portable SQL on SQLite (the zero-setup
//! default) and PostgreSQL. Placeholders are `$1`-style, which both accept.
//! Every query filters by the owning user's id first.

pub mod analytics;
pub mod contacts;
pub mod due;
pub mod interviews;
pub mod job_postings;
pub mod job_sites;
pub mod opportunities;
pub mod reports;
pub mod search;
pub mod stage_events;
pub mod tags;

use std::time::Duration;

use shared::db::DbOptions;
use sqlx::{
    Any, AnyPool, Arguments as _, Executor, FromRow,
    any::{AnyArguments, AnyRow},
};

use crate::{config::Config, domain::Value};

pub use shared::db::{Flag, Pools};

/// The embedded migrations, applied at start.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A database handle.
pub type Pool = AnyPool;
/// An open transaction.
pub type Tx = sqlx::Transaction<'static, Any>;

/// Opens the pools (creating the SQLite file and its folder if needed) and
/// applies pending migrations.
pub async fn connect(config: &Config) -> anyhow::Result<Pools> {
    let options = DbOptions {
        url: config.database_url.as_ref(),
        data_dir: &config.data_dir,
        sqlite_file: "jobs.db",
        url_variable: "JOBS_DATABASE_URL",
        max_connections: config.database_max_connections(),
        acquire_timeout: Duration::from_secs(config.database_timeout_secs),
    };
    shared::db::connect(&options, &MIGRATOR).await
}

/// SQL built at run time: text with `$n` placeholders plus the values to
/// bind, in order. Only code-supplied fragments (table and column names from
/// fixed allowlists) are appended as text; request values are always bound.
#[derive(Debug, Default)]
pub struct Statement {
    sql: String,
    values: Vec<Value>,
}

impl Statement {
    /// Starts with `sql`.
    pub fn new(sql: &str) -> Self {
        Self {
            sql: sql.to_owned(),
            values: Vec::new(),
        }
    }

    /// Appends SQL text; never a request value.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        self.sql.push('$');
        self.sql.push_str(&self.values.len().to_string());
        self
    }

    /// Appends placeholders for `values`, separated by commas.
    pub fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self
    }

    /// `INSERT INTO {table} (columns...) SELECT $1, ...`. The `SELECT` form
    /// lets a caller append a `WHERE` guard that makes the insert conditional
    /// in one statement.
    pub fn insert(table: &'static str, columns: &[(&'static str, Value)]) -> Self {
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let mut statement = Self::new(&format!(
            "INSERT INTO {table} ({}) SELECT ",
            names.join(", ")
        ));
        statement.bind_list(columns.iter().map(|(_, value)| value.clone()));
        statement
    }

    /// `UPDATE {table} SET column = $n, ... WHERE user_id = $u AND id = $i`.
    pub fn update(
        table: &'static str,
        user_id: &str,
        id: &str,
        columns: &[(&'static str, Value)],
    ) -> Self {
        let mut statement = Self::new(&format!("UPDATE {table} SET "));
        for (i, (column, value)) in columns.iter().enumerate() {
            if i > 0 {
                statement.push(", ");
            }
            statement.push(column).push(" = ").bind(value.clone());
        }
        statement.push(" WHERE user_id = ").bind(user_id);
        statement.push(" AND id = ").bind(id);
        statement
    }

    /// `DELETE FROM {table} WHERE user_id = $1 AND id = $2`.
    pub fn delete(table: &'static str, user_id: &str, id: &str) -> Self {
        let mut statement = Self::new(&format!("DELETE FROM {table} WHERE user_id = "));
        statement.bind(user_id).push(" AND id = ").bind(id);
        statement
    }

    fn arguments(&self) -> sqlx::Result<AnyArguments<'_>> {
        let mut arguments = AnyArguments::default();
        for value in &self.values {
            match value {
                Value::Text(text) => arguments.add(text.as_str()),
                Value::Int(number) => arguments.add(*number),
                Value::MaybeInt(number) => arguments.add(*number),
                Value::MaybeText(text) => arguments.add(text.as_deref()),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok(arguments)
    }

    /// Runs the statement; returns the number of rows affected.
    pub async fn execute(&self, db: impl Executor<'_, Database = Any>) -> sqlx::Result<u64> {
        let done = sqlx::query_with(&self.sql, self.arguments()?)
            .execute(db)
            .await?;
        Ok(done.rows_affected())
    }

    /// Runs the query and decodes every row.
    pub async fn fetch_all<T>(&self, db: impl Executor<'_, Database = Any>) -> sqlx::Result<Vec<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        sqlx::query_as_with(&self.sql, self.arguments()?)
            .fetch_all(db)
            .await
    }
}

/// Whether `user_id` has a row `id` in `table`.
pub async fn exists(
    db: impl Executor<'_, Database = Any>,
    table: &'static str,
    user_id: &str,
    id: &str,
) -> sqlx::Result<bool> {
    let mut sql = Statement::new(&format!("SELECT id FROM {table} WHERE user_id = "));
    sql.bind(user_id).push(" AND id = ").bind(id);
    let found: Vec<(String,)> = sql.fetch_all(db).await?;
    Ok(!found.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_number_their_placeholders_in_order() {
        let columns = [("a", Value::Int(1)), ("b", Value::Text("x".into()))];
        let insert = Statement::insert("t", &columns);
        assert_eq!(insert.sql, "INSERT INTO t (a, b) SELECT $1, $2");
        let update = Statement::update("t", "u", "i", &columns);
        assert_eq!(
            update.sql,
            "UPDATE t SET a = $1, b = $2 WHERE user_id = $3 AND id = $4"
        );
        assert_eq!(update.values.len(), 4);
        let delete = Statement::delete("t", "u", "i");
        assert_eq!(delete.sql, "DELETE FROM t WHERE user_id = $1 AND id = $2");
        assert_eq!(delete.values.len(), 2);
    }
}
