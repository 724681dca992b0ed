//! Every request message the auth-service accepts, decoded from arbitrary
//! bytes with prost and run through the checks the service makes before any
//! database work: registration, profile masks, the password policy, refresh
//! tokens, page tokens and token introspection.
//!
//! The first input byte picks the message ([`KINDS`], modulo its length).
//! Login, IssueServiceToken and WatchRevocations have no such check apart
//! from their handlers (they look up credentials or compare one integer), so
//! for them only the decoding is fuzzed.

use auth_service::{
    config::PASSWORD_MAX_LENGTH,
    domain::password_policy::{PasswordPolicy, UserAttributes},
    error::Error,
    service::{
        accounts::{NewAccount, Registration, decode_page_token},
        profile::ProfilePatch,
        sessions::hash_refresh_token,
    },
};
use prost::Message;
use secrecy::SecretString;
use shared::proto::jobsearch::auth::v1 as pb;
use std::sync::LazyLock;

use crate::{NOW, fixture};

/// The messages, by the leading byte that selects them.
pub const KINDS: [&str; 13] = [
    "Register",
    "Login",
    "RefreshToken",
    "Logout",
    "LogoutAll",
    "GetMe",
    "UpdateMe",
    "ChangePassword",
    "ListUsers",
    "VerifyToken",
    "GetJwks",
    "IssueServiceToken",
    "WatchRevocations",
];

/// The leading byte selecting `name`.
pub fn kind(name: &str) -> u8 {
    let index = KINDS.iter().position(|k| *k == name).expect("a known kind");
    u8::try_from(index).expect("fewer than 256 kinds")
}

/// The strictest configuration: the seed's minimum length with the strong
/// rule on, so every rule runs. Built once (it loads 20,000 common passwords).
static POLICY: LazyLock<PasswordPolicy> =
    LazyLock::new(|| PasswordPolicy::new(8, PASSWORD_MAX_LENGTH, true));

/// Every message [`POLICY`] can give (min 8, max 128, strong).
const POLICY_REASONS: [&str; 13] = [
    "must be at least 8 characters",
    "must be at most 128 characters",
    "is too similar to the username",
    "is too similar to the email address",
    "is too similar to the first name",
    "is too similar to the last name",
    "is too common",
    "is entirely numeric",
    "must contain a lowercase letter",
    "must contain an uppercase letter",
    "must contain a digit",
    "must contain a special character",
    "must be at least 12 characters when strong passwords are enabled",
];

/// Decodes `bytes` as the message `kind` selects and checks it.
pub fn run(kind: u8, bytes: &[u8]) {
    match KINDS[usize::from(kind) % KINDS.len()] {
        "Register" => with::<pb::RegisterRequest>(bytes, |r| {
            let raw = Registration {
                username: &r.username,
                email: &r.email,
                first_name: &r.first_name,
                last_name: &r.last_name,
                password: SecretString::from(r.password.clone()),
            };
            accepted(NewAccount::parse(raw, &POLICY));
        }),
        "UpdateMe" => with::<pb::UpdateMeRequest>(bytes, |r| {
            let paths = r.update_mask.map(|m| m.paths).unwrap_or_default();
            accepted(ProfilePatch::parse(&r.user.unwrap_or_default(), &paths));
        }),
        "ChangePassword" => with::<pb::ChangePasswordRequest>(bytes, |r| {
            let user = UserAttributes {
                username: "ada",
                email: "ada@example.com",
                first_name: "Ada",
                last_name: "Lovelace",
            };
            // Reasons are shown to the user and may be logged, so each must
            // be one of the fixed messages, never anything of the password.
            for reason in POLICY.check(&r.new_password, &user) {
                assert!(POLICY_REASONS.contains(&reason.as_str()), "{reason:?}");
            }
        }),
        "RefreshToken" => with::<pb::RefreshTokenRequest>(bytes, |r| {
            refresh_token(&r.refresh_token);
        }),
        "Logout" => with::<pb::LogoutRequest>(bytes, |r| refresh_token(&r.refresh_token)),
        "ListUsers" => with::<pb::ListUsersRequest>(bytes, |r| {
            accepted(decode_page_token(&r.page_token));
        }),
        "VerifyToken" => with::<pb::VerifyTokenRequest>(bytes, |r| {
            let fx = fixture();
            if fx.access.verify(&r.token, NOW).is_ok() {
                assert!(fx.correctly_signed(&r.token));
            }
        }),
        "Login" => with::<pb::LoginRequest>(bytes, drop),
        "LogoutAll" => with::<pb::LogoutAllRequest>(bytes, drop),
        "GetMe" => with::<pb::GetMeRequest>(bytes, drop),
        "GetJwks" => with::<pb::GetJwksRequest>(bytes, drop),
        "IssueServiceToken" => with::<pb::IssueServiceTokenRequest>(bytes, drop),
        "WatchRevocations" => with::<pb::WatchRevocationsRequest>(bytes, drop),
        other => unreachable!("no check for {other}"),
    }
}

/// Runs `check` on `bytes` decoded as `M`; bytes that are not an `M` are
/// refused by tonic before any handler runs, so they end here.
fn with<M: Message + Default>(bytes: &[u8], check: impl FnOnce(M)) {
    if let Ok(message) = M::decode(bytes) {
        check(message);
    }
}

/// The value of an accepted request; a refusal must be `INVALID_ARGUMENT`
/// naming at least one field, each with a reason, and convert to a status.
fn accepted<T>(result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(Error::InvalidArgument(violations)) => {
            assert!(!violations.is_empty(), "INVALID_ARGUMENT without fields");
            for (field, reason) in &violations {
                assert!(!field.is_empty() && !reason.is_empty());
            }
            let status = tonic::Status::from(Error::InvalidArgument(violations));
            assert_eq!(status.code(), tonic::Code::InvalidArgument);
            None
        }
        Err(other) => panic!("validation answered {other:?}, not INVALID_ARGUMENT"),
    }
}

/// A presented refresh token is either refused as a bad token (one generic
/// `UNAUTHENTICATED`) or hashed to the 64 hex digits stored for it.
fn refresh_token(token: &str) {
    match hash_refresh_token(token) {
        Ok(hash) => {
            assert_eq!(hash.len(), 64);
            assert!(token.starts_with("rt_"));
        }
        Err(Error::BadToken) => {}
        Err(other) => panic!("refresh token answered {other:?}, not UNAUTHENTICATED"),
    }
}
