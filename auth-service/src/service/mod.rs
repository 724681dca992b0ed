//! What the service does, one async function per use case, as methods on
//! [`AppState`](crate::state::AppState). The gRPC layer only converts
//! messages and calls these.

pub mod accounts;
pub mod profile;
pub mod revocations;
pub mod service_tokens;
pub mod sessions;
mod throttle;

/// The current time in Unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
