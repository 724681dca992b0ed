//! Operator commands (like Django's `createsuperuser` and SimpleJWT's
//! `flushexpiredtokens`), run by the binary's subcommands.

use secrecy::SecretString;

use crate::{
    db::{purge::Purged, sessions::RevokeReason, users::UserRow},
    error::Error,
    service::accounts::{NewAccount, Registration},
    state::AppState,
};

/// Creates a staff user after the same checks as `Register`.
pub async fn create_staff_user(
    state: &AppState,
    username: &str,
    email: &str,
    password: SecretString,
) -> anyhow::Result<UserRow> {
    let raw = Registration {
        username,
        email,
        first_name: "",
        last_name: "",
        password,
    };
    let account = NewAccount::parse(raw, &state.policy).map_err(describe)?;
    state.register(account, true).await.map_err(describe)
}

/// Disables an account: it can no longer log in, every session ends, and
/// every token issued to it so far is revoked (an event services receive).
pub async fn disable_user(state: &AppState, username: &str) -> anyhow::Result<String> {
    let key = crate::domain::user::Username::parse(username)
        .map_err(|reason| anyhow::anyhow!("username: {reason}"))?
        .key;
    let mut tx = state.writer.begin().await?;
    let Some(user_id) = crate::db::users::disable(&mut *tx, &key).await? else {
        anyhow::bail!("no active user named {username}");
    };
    let now = crate::service::now();
    state
        .revoke_user_tokens(&mut tx, &user_id, RevokeReason::UserDisabled, now)
        .await
        .map_err(describe)?;
    tx.commit().await?;
    state.feed.notify();
    Ok(user_id)
}

/// Hashes a service client's secret for `AUTH_SERVICE_CLIENTS`.
pub async fn hash_client_secret(state: &AppState, secret: SecretString) -> anyhow::Result<String> {
    state.hasher.hash(secret).await.map_err(describe)
}

/// Deletes expired sessions, refresh tokens and throttle records now.
pub async fn flush_expired(state: &AppState) -> anyhow::Result<Purged> {
    Ok(crate::server::purge_once(state).await?)
}

/// Field violations spelled out for a terminal.
fn describe(error: Error) -> anyhow::Error {
    match error {
        Error::InvalidArgument(violations) => {
            let lines: Vec<String> = violations
                .into_iter()
                .map(|(field, reason)| format!("{field}: {reason}"))
                .collect();
            anyhow::anyhow!("{}", lines.join("\n"))
        }
        other => anyhow::anyhow!("{other}"),
    }
}
