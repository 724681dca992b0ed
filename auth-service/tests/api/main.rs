//! Integration tests of the auth-service: a real server on a real port per
//! test, called through the generated client.

// Panicking on an unexpected value is how a test fails.
#![allow(clippy::unwrap_used)]

mod accounts;
mod attacks;
mod browsers;
mod helpers;
mod housekeeping;
mod login;
mod metrics;
mod profile;
mod races;
mod request_ids;
mod secrets;
mod sessions;
mod shutdown;
