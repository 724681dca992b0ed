//! Operator commands (like Django's `createsuperuser` and SimpleJWT's
//! `flushexpiredtokens`), run by the binary's subcommands.

use secrecy::SecretString;

use crate::{
    db::{purge::Purged, users::UserRow},
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
