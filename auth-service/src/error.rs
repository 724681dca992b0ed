//! The one error type of the auth-service and its single mapping to a gRPC
//! `Status`. Internal details (SQL, causes) are logged here and never sent.

use std::time::Duration;

use shared::status::invalid_argument;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// The `domain` of `google.rpc.ErrorInfo` details.
const ERROR_DOMAIN: &str = "auth.jobsearch";

/// Everything that can go wrong in an auth-service call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `INVALID_ARGUMENT`: each `(field, reason)` pair becomes a field violation.
    #[error("invalid argument")]
    InvalidArgument(Vec<(String, String)>),
    /// `ALREADY_EXISTS`: the named unique field (username or email) is taken.
    #[error("{0} is already taken")]
    AlreadyExists(&'static str),
    /// `UNAUTHENTICATED`: wrong username/e-mail or password. One message for
    /// every cause so that it reveals nothing about which accounts exist.
    #[error("invalid username or password")]
    BadCredentials,
    /// `UNAUTHENTICATED`: a missing, malformed, expired, revoked or
    /// wrong-type token.
    #[error("invalid or expired token")]
    BadToken,
    /// `PERMISSION_DENIED`: an identified caller lacks the staff role.
    #[error("staff role required")]
    NotStaff,
    /// `RESOURCE_EXHAUSTED`: too many failed logins on one account.
    #[error("too many failed attempts, retry later")]
    Throttled {
        /// When the account accepts attempts again.
        retry_after: Duration,
    },
    /// `UNAVAILABLE`: the database cannot be reached in time.
    #[error("service temporarily unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// `INTERNAL`: a bug or an unexpected failure; logged, never detailed.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A single-field `INVALID_ARGUMENT`.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::InvalidArgument(vec![(field.to_owned(), reason.into())])
    }

    /// Maps the error of a write to `users`: a taken username or e-mail
    /// becomes `ALREADY_EXISTS` naming the field.
    pub fn from_user_write(error: sqlx::Error) -> Self {
        match crate::db::unique_violation(&error) {
            Some(field) => Self::AlreadyExists(field),
            None => error.into(),
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        if shared::db::is_unavailable(&error) {
            Self::Unavailable(error)
        } else {
            Self::Internal(anyhow::Error::new(error).context("database"))
        }
    }
}

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        let message = error.to_string();
        match error {
            Error::InvalidArgument(violations) => invalid_argument(violations),
            Error::AlreadyExists(field) => with_reason(
                Code::AlreadyExists,
                message,
                &format!("{}_TAKEN", field.to_uppercase()),
            ),
            Error::BadCredentials => {
                with_reason(Code::Unauthenticated, message, "INVALID_CREDENTIALS")
            }
            Error::BadToken => with_reason(Code::Unauthenticated, message, "INVALID_TOKEN"),
            Error::NotStaff => with_reason(Code::PermissionDenied, message, "STAFF_REQUIRED"),
            Error::Throttled { retry_after } => {
                let mut details = ErrorDetails::with_retry_info(Some(retry_after));
                details.set_error_info("LOGIN_THROTTLED", ERROR_DOMAIN, []);
                let message = format!(
                    "too many failed attempts, retry in {} seconds",
                    retry_after.as_secs().max(1)
                );
                Status::with_error_details(Code::ResourceExhausted, message, details)
            }
            Error::Unavailable(source) => {
                tracing::warn!(error = %source, "database unavailable");
                Status::unavailable(message)
            }
            Error::Internal(source) => {
                tracing::error!(error = ?source, "internal error");
                Status::internal(message)
            }
        }
    }
}

fn with_reason(code: Code, message: String, reason: &str) -> Status {
    shared::status::with_reason(code, message, reason, ERROR_DOMAIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_reach_the_client() {
        let status = Status::from(Error::Internal(anyhow::anyhow!(
            "SELECT password_hash FROM users failed"
        )));
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("SELECT"));
    }

    #[test]
    fn invalid_arguments_name_every_field() {
        let status = Status::from(Error::InvalidArgument(vec![
            ("username".into(), "must not be empty".into()),
            ("email".into(), "is not an e-mail address".into()),
        ]));
        assert_eq!(status.code(), Code::InvalidArgument);
        let bad_request = status.get_details_bad_request().unwrap();
        let fields: Vec<_> = bad_request
            .field_violations
            .iter()
            .map(|v| v.field.as_str())
            .collect();
        assert_eq!(fields, ["username", "email"]);
        assert!(status.message().contains("username"));
    }

    #[test]
    fn throttling_carries_a_retry_delay() {
        let status = Status::from(Error::Throttled {
            retry_after: Duration::from_secs(30),
        });
        assert_eq!(status.code(), Code::ResourceExhausted);
        let retry = status.get_details_retry_info().unwrap();
        assert_eq!(retry.retry_delay, Some(Duration::from_secs(30)));
    }
}
