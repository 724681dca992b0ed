//! Housekeeping: deletes what can no longer matter, in bounded batches so a
//! backlog never holds a long lock.

use super::Pool;

/// Rows deleted per statement.
const BATCH: i64 = 1000;

/// What one purge removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    /// Expired refresh tokens, and those of sessions revoked before `revoked_before`.
    pub refresh_tokens: u64,
    /// Sessions that expired, or were revoked before `revoked_before`.
    pub sessions: u64,
    /// Throttle records whose lock and memory window have both passed.
    pub throttle_records: u64,
    /// Revocation events that no longer cover any valid token.
    pub revocation_events: u64,
}

/// Deletes expired refresh tokens and sessions, sessions revoked before
/// `revoked_before` (kept until then for audit) and throttle records last
/// touched before `forget_before`.
pub async fn purge(
    pool: &Pool,
    now: i64,
    revoked_before: i64,
    forget_before: i64,
) -> sqlx::Result<Purged> {
    let refresh_tokens = in_batches(
        pool,
        "DELETE FROM refresh_tokens WHERE token_hash IN \
         (SELECT token_hash FROM refresh_tokens WHERE expires_at <= $1 \
         OR session_id IN (SELECT id FROM sessions WHERE revoked_at < $2) LIMIT $3)",
        &[now, revoked_before],
    )
    .await?;
    let sessions = in_batches(
        pool,
        "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions \
         WHERE expires_at <= $1 OR revoked_at < $2 LIMIT $3)",
        &[now, revoked_before],
    )
    .await?;
    let throttle_records = in_batches(
        pool,
        "DELETE FROM login_throttle WHERE account_key IN (SELECT account_key FROM login_throttle \
         WHERE locked_until <= $1 AND last_failure_at < $2 LIMIT $3)",
        &[now, forget_before],
    )
    .await?;
    let revocation_events = in_batches(
        pool,
        "DELETE FROM revocation_events WHERE seq IN (SELECT seq FROM revocation_events \
         WHERE expires_at <= $1 LIMIT $2)",
        &[now],
    )
    .await?;
    Ok(Purged {
        refresh_tokens,
        sessions,
        throttle_records,
        revocation_events,
    })
}

/// Runs a batched DELETE until it deletes less than a batch. `sql` takes
/// `params` as `$1..` and the batch size as the next placeholder.
async fn in_batches(pool: &Pool, sql: &str, params: &[i64]) -> sqlx::Result<u64> {
    let mut total = 0;
    loop {
        let mut query = sqlx::query(sql);
        for param in params {
            query = query.bind(*param);
        }
        let deleted = query.bind(BATCH).execute(pool).await?.rows_affected();
        total += deleted;
        if deleted < BATCH.unsigned_abs() {
            return Ok(total);
        }
    }
}
