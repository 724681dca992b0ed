//! SQL for the revocation feed (`revocation_events`, `revocation_counter`).

use sqlx::{Any, AnyConnection, Executor, FromRow};

use super::sessions::RevokeReason;

/// What an event revokes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    /// Every token of one session.
    Session(&'a str),
    /// Every token of the user issued at or before a time.
    UserBefore(i64),
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct EventRow {
    pub seq: i64,
    pub session_id: Option<String>,
    pub user_id: String,
    pub issued_before: Option<i64>,
    pub reason: String,
    pub expires_at: i64,
}

/// Appends an event inside the caller's transaction and returns its number.
/// On PostgreSQL it also queues a NOTIFY, delivered when the transaction
/// commits, so watchers on every replica wake at once.
pub async fn record(
    conn: &mut AnyConnection,
    user_id: &str,
    target: Target<'_>,
    reason: RevokeReason,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<i64> {
    let seq: i64 = sqlx::query_scalar(
        "UPDATE revocation_counter SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq",
    )
    .fetch_one(&mut *conn)
    .await?;
    let (session_id, issued_before) = match target {
        Target::Session(id) => (Some(id), None),
        Target::UserBefore(time) => (None, Some(time)),
    };
    sqlx::query(
        "INSERT INTO revocation_events \
         (seq, session_id, user_id, issued_before, reason, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(seq)
    .bind(session_id)
    .bind(user_id)
    .bind(issued_before)
    .bind(reason.as_str())
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(NOTIFY_CHANNEL)
            .execute(&mut *conn)
            .await?;
    }
    Ok(seq)
}

/// The PostgreSQL NOTIFY channel of new events.
pub const NOTIFY_CHANNEL: &str = "jobsearch_revocations";

/// Live events after `seq`, in order, at most `limit`.
pub async fn after(
    db: impl Executor<'_, Database = Any>,
    seq: i64,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT seq, session_id, user_id, issued_before, reason, expires_at \
         FROM revocation_events WHERE seq > $1 AND expires_at > $2 ORDER BY seq LIMIT $3",
    )
    .bind(seq)
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The number of the newest event ever written.
pub async fn latest(db: impl Executor<'_, Database = Any>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT last_seq FROM revocation_counter WHERE id = 1")
        .fetch_one(db)
        .await
}
