//! Per-account login throttling. Counters live in the database so every
//! replica enforces the same limit. After `AUTH_LOGIN_MAX_FAILURES` failures
//! the account refuses attempts for `AUTH_LOGIN_LOCKOUT_SECS`, doubling with
//! each further failure up to `AUTH_LOGIN_LOCKOUT_MAX_SECS`; failures are
//! forgotten after that long, so the owner is never locked out for good.

use std::time::Duration;

use crate::{
    db::throttle,
    error::{Error, Result},
    state::AppState,
};

impl AppState {
    /// Refuses the attempt if the account is locked.
    pub(super) async fn check_throttle(&self, account_key: &str, now: i64) -> Result<()> {
        match throttle::locked_until(&self.db, account_key).await? {
            Some(until) if until > now => Err(Error::Throttled {
                retry_after: Duration::from_secs(until.abs_diff(now)),
            }),
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt and locks the account once past the limit.
    pub(super) async fn record_failure(&self, account_key: &str, now: i64) -> Result<()> {
        let config = &self.config;
        let window = i64::try_from(config.login_lockout_max_secs).unwrap_or(i64::MAX / 4);
        let failures =
            throttle::record_failure(&self.writer, account_key, now, now - window).await?;
        let Some(delay) = lockout_delay(
            failures,
            config.login_max_failures,
            config.login_lockout_secs,
            config.login_lockout_max_secs,
        ) else {
            return Ok(());
        };
        // Only account ids are logged: an unknown "username" may be a
        // password typed into the wrong field.
        let user_id = account_key.strip_prefix("user:").unwrap_or("unknown");
        tracing::warn!(%user_id, failures, delay, "login throttled");
        throttle::lock(
            &self.writer,
            account_key,
            now + i64::try_from(delay).unwrap_or(window),
        )
        .await?;
        Ok(())
    }
}

/// Seconds to lock after `failures` failures, if any: `base` at the limit,
/// doubling per further failure, capped at `max`.
fn lockout_delay(failures: i64, limit: u32, base: u64, max: u64) -> Option<u64> {
    let excess = u32::try_from(failures.checked_sub(i64::from(limit))?).ok()?;
    Some(base.saturating_mul(1u64 << excess.min(32)).min(max))
}

#[cfg(test)]
mod tests {
    use super::lockout_delay;

    #[test]
    fn the_delay_starts_at_the_limit_doubles_and_is_capped() {
        assert_eq!(lockout_delay(4, 5, 30, 900), None);
        assert_eq!(lockout_delay(5, 5, 30, 900), Some(30));
        assert_eq!(lockout_delay(6, 5, 30, 900), Some(60));
        assert_eq!(lockout_delay(7, 5, 30, 900), Some(120));
        assert_eq!(lockout_delay(100, 5, 30, 900), Some(900));
    }
}
