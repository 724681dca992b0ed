//! Building `Status`es with google.rpc error details (AIP-193), the same way
//! in both services.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// `INVALID_ARGUMENT` with a `BadRequest` field violation per `(field,
/// reason)` pair; the message lists them too, for people reading grpcurl output.
pub fn invalid_argument(violations: Vec<(String, String)>) -> Status {
    let mut details = ErrorDetails::new();
    let mut summary = Vec::with_capacity(violations.len());
    for (field, reason) in violations {
        summary.push(format!("{field}: {reason}"));
        details.add_bad_request_violation(field, reason);
    }
    let message = format!("invalid argument: {}", summary.join("; "));
    Status::with_error_details(Code::InvalidArgument, message, details)
}

/// A status carrying a `google.rpc.ErrorInfo` with a machine-readable reason.
pub fn with_reason(code: Code, message: impl Into<String>, reason: &str, domain: &str) -> Status {
    let details = ErrorDetails::with_error_info(reason, domain, []);
    Status::with_error_details(code, message, details)
}
