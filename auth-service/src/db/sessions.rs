//! SQL for `sessions` and `refresh_tokens`.

use sqlx::{Any, Executor};

use super::users::{COLUMNS, UserRow};

/// Why a session ended, stored for audit.
#[derive(Debug, Clone, Copy)]
pub enum RevokeReason {
    /// `Logout`.
    Logout,
    /// `LogoutAll`.
    LogoutAll,
    /// `ChangePassword` ended the caller's other sessions.
    PasswordChange,
    /// A rotated refresh token was presented again.
    RefreshTokenReuse,
    /// An operator disabled the account.
    UserDisabled,
}

impl RevokeReason {
    /// The stored (and streamed) name of the reason.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::LogoutAll => "logout_all",
            Self::PasswordChange => "password_change",
            Self::RefreshTokenReuse => "refresh_token_reuse",
            Self::UserDisabled => "user_disabled",
        }
    }
}

/// Starts a session. The caller has just locked the user's row with a
/// guarded write (`users::set_last_login`) in the same transaction.
pub async fn create(
    db: impl Executor<'_, Database = Any>,
    id: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Stores a new refresh token (by hash) for a session.
pub async fn insert_refresh_token(
    db: impl Executor<'_, Database = Any>,
    token_hash: &str,
    session_id: &str,
    now: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(session_id)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Marks an unused, unexpired refresh token as used and returns its session.
/// Of several concurrent claims of one token exactly one gets `Some`: the
/// conditional update is atomic on both databases.
pub async fn claim_refresh_token(
    db: impl Executor<'_, Database = Any>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE refresh_tokens SET used_at = $2 \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING session_id",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// Where a presented refresh token belongs.
#[derive(Debug, Clone)]
pub struct RefreshTokenOwner {
    pub session_id: String,
    pub user_id: String,
    /// Whether the token was already rotated.
    pub used: bool,
}

/// The session and user of a refresh token, and whether it was already used.
pub async fn refresh_token_owner(
    db: impl Executor<'_, Database = Any>,
    token_hash: &str,
) -> sqlx::Result<Option<RefreshTokenOwner>> {
    let row: Option<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT rt.session_id, s.user_id, rt.used_at FROM refresh_tokens rt \
         JOIN sessions s ON s.id = rt.session_id WHERE rt.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(session_id, user_id, used_at)| RefreshTokenOwner {
        session_id,
        user_id,
        used: used_at.is_some(),
    }))
}

/// The user of a live session (not revoked, not expired, user active) and
/// the session's absolute expiry.
pub async fn active_session(
    db: impl Executor<'_, Database = Any>,
    session_id: &str,
    now: i64,
) -> sqlx::Result<Option<(UserRow, i64)>> {
    let sql = format!(
        "SELECT {COLUMNS}, s.expires_at AS session_expires_at FROM sessions s \
         JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.is_active = 1"
    );
    let row = sqlx::query(&sql)
        .bind(session_id)
        .bind(now)
        .fetch_optional(db)
        .await?;
    row.map(|row| {
        use sqlx::{FromRow as _, Row as _};
        Ok((UserRow::from_row(&row)?, row.try_get("session_expires_at")?))
    })
    .transpose()
}

/// Ends one session; returns how many were ended (0 if already ended).
pub async fn revoke(
    db: impl Executor<'_, Database = Any>,
    session_id: &str,
    now: i64,
    reason: RevokeReason,
) -> sqlx::Result<u64> {
    let result = sqlx::query(
        "UPDATE sessions SET revoked_at = $2, revoke_reason = $3 WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(session_id)
    .bind(now)
    .bind(reason.as_str())
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// Ends every live session of a user except `keep` (if given) and returns
/// the ids of the sessions it ended.
pub async fn revoke_all_of_user(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    keep: Option<&str>,
    now: i64,
    reason: RevokeReason,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "UPDATE sessions SET revoked_at = $3, revoke_reason = $4 \
         WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL AND expires_at > $3 \
         RETURNING id",
    )
    .bind(user_id)
    .bind(keep.unwrap_or(""))
    .bind(now)
    .bind(reason.as_str())
    .fetch_all(db)
    .await
}
