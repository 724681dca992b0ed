//! Domain types: what a valid username, e-mail address, profile or password
//! is. Raw request strings become these types (or field violations) before
//! anything touches the database.

pub mod password_policy;
pub mod user;

// Property tests, in a file of their own.
#[cfg(test)]
mod proptests;
