//! Property tests of the user-facing checks: the password policy on any
//! Unicode at all, usernames, e-mail addresses, profile update masks and the
//! `ListUsers` page token. Each refuses with a reason (never a panic), and
//! what it accepts has the documented shape.

use std::sync::LazyLock;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use proptest::prelude::*;
use shared::proto::jobsearch::auth::v1::User;

use super::{
    password_policy::{PasswordPolicy, UserAttributes},
    user::{Email, Username},
};
use crate::{
    config::PASSWORD_MAX_LENGTH,
    error::Error,
    service::{accounts::decode_page_token, profile::ProfilePatch},
};

/// Every message the policy can give with a minimum of 8 and the maximum.
const REASONS: [&str; 13] = [
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

/// The policy without and with the strong rule, built once: each loads
/// 20,000 common passwords.
static POLICIES: LazyLock<[PasswordPolicy; 2]> = LazyLock::new(|| {
    [false, true].map(|strong| PasswordPolicy::new(8, PASSWORD_MAX_LENGTH, strong))
});

fn fields(error: Error) -> Vec<String> {
    match error {
        Error::InvalidArgument(violations) => violations.into_iter().map(|(f, _)| f).collect(),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

/// Any Unicode, lengths around both limits included.
fn unicode(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..max).prop_map(|c| c.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_password_policy_gives_only_fixed_reasons_for_any_unicode(
        password in prop_oneof![unicode(140), "[0-9]{0,12}", "[A-Za-z0-9!]{6,14}"],
        username in unicode(20), email in unicode(30), first in unicode(10), last in unicode(10),
        strong in any::<bool>(),
    ) {
        let policy = &POLICIES[usize::from(strong)];
        let user = UserAttributes { username: &username, email: &email, first_name: &first, last_name: &last };
        let reasons = policy.check(&password, &user);
        // Reasons reach clients and logs: fixed texts, never the password.
        for reason in &reasons {
            prop_assert!(REASONS.contains(&reason.as_str()), "{:?}", reason);
        }
        let length = password.chars().count();
        prop_assert_eq!(length < 8, reasons.iter().any(|r| r == REASONS[0]));
        prop_assert_eq!(length > PASSWORD_MAX_LENGTH, reasons.iter().any(|r| r == REASONS[1]));
    }

    #[test]
    fn usernames_are_normalised_allowed_characters_with_a_lowercase_key(raw in unicode(160)) {
        if let Ok(name) = Username::parse(&raw) {
            let count = name.display.chars().count();
            prop_assert!((1..=150).contains(&count));
            prop_assert!(name.display.chars().all(|c| c.is_alphanumeric() || ".+-_".contains(c)));
            prop_assert_eq!(&name.key, &name.display.to_lowercase());
            // NFKC is idempotent: the stored name parses to itself.
            prop_assert_eq!(Username::parse(&name.display), Ok(name.clone()));
        }
    }

    #[test]
    fn accepted_emails_are_trimmed_with_a_lowercase_key(
        raw in prop_oneof![unicode(40), "[ ]?[a-zA-Z0-9.+]{1,10}@[a-z]{1,8}\\.[a-z]{2,4}[ ]?"],
    ) {
        if let Ok(email) = Email::parse(&raw) {
            prop_assert_eq!(email.display.as_str(), raw.trim());
            prop_assert_eq!(&email.key, &email.display.to_lowercase());
            let (local, domain) = email.display.rsplit_once('@').unwrap();
            prop_assert!(!local.is_empty() && domain.contains('.'));
        }
    }

    #[test]
    fn profile_masks_with_unknown_paths_name_each_path(
        paths in prop::collection::vec(prop_oneof![any::<String>(), "[a-z_.]{1,20}"], 1..5),
    ) {
        let known = [
            "username", "email", "first_name", "last_name", "bio", "user_greeting",
            "color_mode", "dashboard_first_date", "dashboard_second_date",
        ];
        let unknown: Vec<String> = paths.into_iter().filter(|p| !known.contains(&p.as_str())).collect();
        prop_assume!(!unknown.is_empty());
        let found = fields(ProfilePatch::parse(&User::default(), &unknown).unwrap_err());
        for path in &unknown {
            prop_assert!(found.contains(&format!("user.{path}")), "{:?} not in {:?}", path, found);
        }
    }

    #[test]
    fn mutated_user_page_tokens_are_refused_or_name_another_id_exactly(
        id in any::<u128>(), at in any::<prop::sample::Index>(), with in any::<char>(),
    ) {
        let token = URL_SAFE_NO_PAD.encode(uuid::Uuid::from_u128(id).to_string());
        prop_assert_eq!(decode_page_token(&token).unwrap(), Some(uuid::Uuid::from_u128(id).to_string()));
        let mut chars: Vec<char> = token.chars().collect();
        let i = at.index(chars.len());
        chars[i] = with;
        let mutated: String = chars.into_iter().collect();
        match decode_page_token(&mutated) {
            Ok(after) => prop_assert_eq!(after.map(|a| URL_SAFE_NO_PAD.encode(a)), Some(mutated)),
            Err(error) => prop_assert_eq!(fields(error), ["page_token"]),
        }
    }
}
