//! The one error type of the jobs-service and its single mapping to a gRPC
//! `Status`. Internal details (SQL, causes) are logged here and never sent.

use shared::status::{invalid_argument, with_reason};
use tonic::{Code, Status};

/// The `domain` of `google.rpc.ErrorInfo` details.
const ERROR_DOMAIN: &str = "jobs.jobsearch";

/// Everything that can go wrong in a jobs-service call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `INVALID_ARGUMENT`: each `(field, reason)` pair becomes a field violation.
    #[error("invalid argument")]
    InvalidArgument(Vec<(String, String)>),
    /// `ALREADY_EXISTS`: the named unique value (a tag name) is taken.
    #[error("{0} already exists")]
    AlreadyExists(&'static str),
    /// `NOT_FOUND`: the caller has no such object. Another user's object is
    /// reported exactly like a missing one.
    #[error("{0} not found")]
    NotFound(&'static str),
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
            Error::AlreadyExists(_) => {
                with_reason(Code::AlreadyExists, message, "ALREADY_EXISTS", ERROR_DOMAIN)
            }
            Error::NotFound(_) => with_reason(Code::NotFound, message, "NOT_FOUND", ERROR_DOMAIN),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_reach_the_client() {
        let status = Status::from(Error::Internal(anyhow::anyhow!("SELECT * FROM job_sites")));
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("SELECT"));
    }
}
