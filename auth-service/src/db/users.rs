//! SQL for the `users` table.

use sqlx::{Any, Executor, FromRow};

use super::Flag;

/// Columns of [`UserRow`], qualified with the `u` alias.
pub const COLUMNS: &str = "u.id, u.username, u.email, u.first_name, u.last_name, u.password_hash, \
     u.bio, u.user_greeting, u.color_mode, u.dashboard_first_date, u.dashboard_second_date, \
     u.is_staff, u.is_active, u.date_joined, u.last_login";

/// A stored user.
#[derive(Clone, FromRow)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
    pub bio: String,
    pub user_greeting: String,
    pub color_mode: String,
    pub dashboard_first_date: Option<i64>,
    pub dashboard_second_date: Option<i64>,
    #[sqlx(try_from = "i64")]
    pub is_staff: Flag,
    #[sqlx(try_from = "i64")]
    pub is_active: Flag,
    pub date_joined: i64,
    pub last_login: Option<i64>,
}

impl std::fmt::Debug for UserRow {
    // The password hash stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// What registration stores.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub username_key: &'a str,
    pub email: &'a str,
    pub email_key: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password_hash: &'a str,
    pub is_staff: bool,
    pub date_joined: i64,
}

/// Inserts a user; a taken username or e-mail is a unique violation.
pub async fn insert(db: impl Executor<'_, Database = Any>, user: &NewUser<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO users (id, username, username_key, email, email_key, first_name, last_name, \
         password_hash, is_staff, date_joined) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(user.id)
    .bind(user.username)
    .bind(user.username_key)
    .bind(user.email)
    .bind(user.email_key)
    .bind(user.first_name)
    .bind(user.last_name)
    .bind(user.password_hash)
    .bind(i64::from(user.is_staff))
    .bind(user.date_joined)
    .execute(db)
    .await?;
    Ok(())
}

/// Finds a user by id.
pub async fn find(
    db: impl Executor<'_, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users u WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Finds the user whose username key or e-mail key matches.
pub async fn find_for_login(
    db: impl Executor<'_, Database = Any>,
    username_key: &str,
    email_key: &str,
) -> sqlx::Result<Option<UserRow>> {
    // Usernames cannot contain '@', so at most one row can match.
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users u WHERE u.username_key = $1 OR u.email_key = $2"
    ))
    .bind(username_key)
    .bind(email_key)
    .fetch_optional(db)
    .await
}

/// A new value for one updatable column.
#[derive(Debug, Clone)]
pub enum FieldValue {
    /// A text column.
    Text(String),
    /// A nullable timestamp column.
    Time(Option<i64>),
}

/// Sets the given columns of one user. Column names come only from the
/// caller's fixed allowlist, never from a request.
pub async fn update_fields(
    db: impl Executor<'_, Database = Any>,
    id: &str,
    fields: &[(&'static str, FieldValue)],
) -> sqlx::Result<u64> {
    let assignments: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, (column, _))| format!("{column} = ${}", i + 2))
        .collect();
    let sql = format!("UPDATE users SET {} WHERE id = $1", assignments.join(", "));
    let mut query = sqlx::query(&sql).bind(id);
    for (_, value) in fields {
        query = match value {
            FieldValue::Text(text) => query.bind(text.clone()),
            FieldValue::Time(time) => query.bind(*time),
        };
    }
    Ok(query.execute(db).await?.rows_affected())
}

/// Replaces a user's password hash.
pub async fn set_password_hash(
    db: impl Executor<'_, Database = Any>,
    id: &str,
    hash: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Replaces a hash made with old parameters by one of the same password,
/// unless the password changed meanwhile (then the newer password wins).
pub async fn upgrade_password_hash(
    db: impl Executor<'_, Database = Any>,
    id: &str,
    old_hash: &str,
    new_hash: &str,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
            .bind(id)
            .bind(old_hash)
            .bind(new_hash)
            .execute(db)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a successful login, if the account is still active and its
/// password still the one verified (`verified_hash`); false otherwise.
///
/// As a write of the user's row, it is the login's lock on it: a password
/// change or a disabling (which write the same row) either commits first,
/// and then this matches nothing, or waits for the login's transaction and
/// then sees, and ends, the session it opened. A read-only check here would
/// let both commit under PostgreSQL's READ COMMITTED (a session opened with
/// the old password surviving the change).
pub async fn set_last_login(
    db: impl Executor<'_, Database = Any>,
    id: &str,
    verified_hash: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "UPDATE users SET last_login = $2 WHERE id = $1 AND password_hash = $3 AND is_active = 1",
    )
    .bind(id)
    .bind(now)
    .bind(verified_hash)
    .execute(db)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// One page of users in id (= join) order, after `after` if given.
pub async fn list(
    db: impl Executor<'_, Database = Any>,
    after: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<UserRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users u WHERE u.id > $1 ORDER BY u.id LIMIT $2"
    ))
    .bind(after.unwrap_or(""))
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Disables the account with this username key; returns its id if it was active.
pub async fn disable(
    db: impl Executor<'_, Database = Any>,
    username_key: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE users SET is_active = 0 WHERE username_key = $1 AND is_active = 1 RETURNING id",
    )
    .bind(username_key)
    .fetch_optional(db)
    .await
}
