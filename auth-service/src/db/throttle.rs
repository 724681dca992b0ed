//! SQL for `login_throttle`: failed-login counters per account.

use sqlx::{Any, Executor};

/// Until when (Unix seconds) the account refuses attempts, if it does.
pub async fn locked_until(
    db: impl Executor<'_, Database = Any>,
    account_key: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT locked_until FROM login_throttle WHERE account_key = $1")
        .bind(account_key)
        .fetch_optional(db)
        .await
}

/// Counts one more failure and returns the count. Failures older than
/// `forget_before` are forgotten first, so the counter decays.
pub async fn record_failure(
    db: impl Executor<'_, Database = Any>,
    account_key: &str,
    now: i64,
    forget_before: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO login_throttle (account_key, failures, last_failure_at, locked_until) \
         VALUES ($1, 1, $2, 0) \
         ON CONFLICT (account_key) DO UPDATE SET \
           failures = CASE WHEN login_throttle.last_failure_at < $3 THEN 1 \
                           ELSE login_throttle.failures + 1 END, \
           last_failure_at = $2 \
         RETURNING failures",
    )
    .bind(account_key)
    .bind(now)
    .bind(forget_before)
    .fetch_one(db)
    .await
}

/// Refuses attempts on the account until `until`.
pub async fn lock(
    db: impl Executor<'_, Database = Any>,
    account_key: &str,
    until: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE login_throttle SET locked_until = $2 WHERE account_key = $1")
        .bind(account_key)
        .bind(until)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets the account's failures (after a successful login).
pub async fn clear(db: impl Executor<'_, Database = Any>, account_key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_throttle WHERE account_key = $1")
        .bind(account_key)
        .execute(db)
        .await?;
    Ok(())
}
