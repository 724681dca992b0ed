//! Password acceptance rules for registration and password changes.
//!
//! Mirrors the Django seed's `AUTH_PASSWORD_VALIDATORS` plus its optional "strong"
//! rule, so passwords the old service refused are refused here too, and reports
//! every failing rule so a client can show all problems at once.

use std::collections::{HashMap, HashSet};

/// Django's `CommonPasswordValidator` list: 20,000 lowercase passwords, one a line.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// Django's `UserAttributeSimilarityValidator.DEFAULT_MAX_SIMILARITY`.
const MAX_SIMILARITY: f64 = 0.7;

/// Minimum length the seed's strong rule demands, whatever `min_length` is.
const STRONG_MIN_LENGTH: usize = 12;

/// The password rules, mirroring the Django seed's validators plus its "strong" rule.
#[derive(Debug, Clone)]
pub struct PasswordPolicy {
    min_length: usize,
    max_length: usize,
    strong: bool,
    common: HashSet<&'static str>,
}

/// The account attributes a password must not resemble.
#[derive(Debug, Clone, Copy)]
pub struct UserAttributes<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
}

impl PasswordPolicy {
    /// min_length in characters (Django default 8); max_length in characters bounds
    /// hashing cost (use 128 in docs/tests); strong switches the strong rule.
    pub fn new(min_length: usize, max_length: usize, strong: bool) -> Self {
        // Trimmed like Django's loader, so a stray `\r` in the file cannot hide an entry.
        let common = COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect();
        Self {
            min_length,
            max_length,
            strong,
            common,
        }
    }

    /// Returns one message per failed rule (empty = acceptable). Messages are
    /// lowercase, no trailing period, never contain the password.
    pub fn check(&self, password: &str, user: &UserAttributes<'_>) -> Vec<String> {
        let mut failures = Vec::new();
        // Characters, not bytes, as Django's `len()` counts code points.
        let length = password.chars().count();

        let too_short = length < self.min_length;
        if too_short {
            failures.push(format!("must be at least {} characters", self.min_length));
        }
        let too_long = length > self.max_length;
        if too_long {
            failures.push(format!("must be at most {} characters", self.max_length));
        }

        // The similarity scan and the lowercase copies scale with the input; an
        // over-long password is already refused, so don't spend work on it.
        if !too_long {
            let lowered = password.to_lowercase();
            let attributes = [
                (user.username, "the username"),
                (user.email, "the email address"),
                (user.first_name, "the first name"),
                (user.last_name, "the last name"),
            ];
            for (value, label) in attributes {
                if is_too_similar(&lowered, value) {
                    failures.push(format!("is too similar to {label}"));
                }
            }
            if self.common.contains(lowered.trim()) {
                failures.push("is too common".to_owned());
            }
        }

        // Python's `"".isdigit()` is false; the empty case is the length rule's job.
        if !password.is_empty() && password.chars().all(char::is_numeric) {
            failures.push("is entirely numeric".to_owned());
        }

        if self.strong {
            let has = |class: fn(char) -> bool| password.chars().any(class);
            let classes = [
                (has(char::is_lowercase), "must contain a lowercase letter"),
                (has(char::is_uppercase), "must contain an uppercase letter"),
                (has(char::is_numeric), "must contain a digit"),
                (
                    has(|c| !c.is_alphanumeric()),
                    "must contain a special character",
                ),
            ];
            for (present, message) in classes {
                if !present {
                    failures.push(message.to_owned());
                }
            }
            // One length complaint is enough; the first already tells the user to add more.
            if !too_short && length < STRONG_MIN_LENGTH {
                failures.push(format!(
                    "must be at least {STRONG_MIN_LENGTH} characters when strong passwords are enabled"
                ));
            }
        }

        failures
    }
}

/// Django's `UserAttributeSimilarityValidator` for one attribute; `password` is
/// already lowercased, as Django lowercases it before measuring anything.
fn is_too_similar(password: &str, value: &str) -> bool {
    if value.is_empty() {
        return false;
    }
    let value = value.to_lowercase();
    let password_len = password.chars().count();
    split_non_word(&value)
        .into_iter()
        .chain(std::iter::once(value.as_str()))
        .filter(|part| !exceeds_maximum_length_ratio(password_len, part.chars().count()))
        .any(|part| quick_ratio(password, part) >= MAX_SIMILARITY)
}

/// Django's shortcut for parts a tenth of the password's length or less, whose
/// `quick_ratio` could not reach the threshold anyway. Kept for the edge case it
/// does decide: the empty parts `re.split` yields are skipped unless the password
/// is empty too.
fn exceeds_maximum_length_ratio(password_len: usize, value_len: usize) -> bool {
    let length_bound_similarity = MAX_SIMILARITY / 2.0 * password_len as f64;
    password_len >= 10 * value_len && (value_len as f64) < length_bound_similarity
}

/// `re.split(r"\W+", value)`: runs of separators give one split, so empty parts
/// appear only at the ends. Word characters are alphanumerics and `_`, Rust's
/// Unicode alphanumeric test standing in for Python's `str.isalnum`.
fn split_non_word(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_separator = false;
    for (index, c) in value.char_indices() {
        let is_word = c.is_alphanumeric() || c == '_';
        if !is_word && !in_separator {
            parts.push(&value[start..index]);
            in_separator = true;
        } else if is_word && in_separator {
            start = index;
            in_separator = false;
        }
    }
    parts.push(if in_separator { "" } else { &value[start..] });
    parts
}

/// `difflib.SequenceMatcher(a=a, b=b).quick_ratio()`: an upper bound on the real
/// ratio from shared characters regardless of order, which is what Django compares.
fn quick_ratio(a: &str, b: &str) -> f64 {
    let mut available: HashMap<char, usize> = HashMap::new();
    for c in b.chars() {
        *available.entry(c).or_insert(0) += 1;
    }
    let mut matches = 0usize;
    for c in a.chars() {
        if let Some(count) = available.get_mut(&c)
            && *count > 0
        {
            *count -= 1;
            matches += 1;
        }
    }
    let total = a.chars().count() + b.chars().count();
    // difflib defines the ratio of two empty sequences as 1.0.
    if total == 0 {
        1.0
    } else {
        2.0 * matches as f64 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOHN: UserAttributes<'static> = UserAttributes {
        username: "johnsmith",
        email: "alice.wonderland@example.com",
        first_name: "John",
        last_name: "Smith",
    };

    fn strong() -> PasswordPolicy {
        PasswordPolicy::new(8, 128, true)
    }

    fn plain() -> PasswordPolicy {
        PasswordPolicy::new(8, 128, false)
    }

    #[test]
    fn a_strong_unique_password_passes() {
        let failures = strong().check("Vq7#pLm2!xRt9z", &JOHN);
        assert!(failures.is_empty(), "{failures:?}");
    }

    #[test]
    fn short_passwords_are_refused() {
        let failures = plain().check("Ab1!x", &JOHN);
        assert_eq!(failures, ["must be at least 8 characters"]);
        // Characters, not bytes: eight two-byte letters are long enough.
        assert!(plain().check("ééééééxé", &JOHN).is_empty());
    }

    #[test]
    fn over_long_passwords_are_refused() {
        let password = "Aa1!".repeat(33);
        assert_eq!(
            strong().check(&password, &JOHN),
            ["must be at most 128 characters"]
        );
        assert!(strong().check(&password[..128], &JOHN).is_empty());
    }

    #[test]
    fn passwords_resembling_the_username_are_refused() {
        let failures = plain().check("johnsmith1!", &JOHN);
        assert_eq!(failures, ["is too similar to the username"]);
        let failures = plain().check("Smithy!!", &JOHN);
        assert_eq!(failures, ["is too similar to the last name"]);
    }

    #[test]
    fn passwords_resembling_an_email_part_are_refused() {
        let failures = plain().check("Wonderland#2024", &JOHN);
        assert_eq!(failures, ["is too similar to the email address"]);
    }

    #[test]
    fn common_passwords_are_refused_regardless_of_case() {
        for password in ["Password", "qwerty123", " PASSWORD "] {
            assert_eq!(
                plain().check(password, &JOHN),
                ["is too common"],
                "{password:?}"
            );
        }
    }

    #[test]
    fn numeric_passwords_are_refused() {
        assert_eq!(plain().check("80751935", &JOHN), ["is entirely numeric"]);
    }

    #[test]
    fn strong_rule_reports_each_missing_class() {
        assert_eq!(
            strong().check("vqplmxrtz", &JOHN),
            [
                "must contain an uppercase letter",
                "must contain a digit",
                "must contain a special character",
                "must be at least 12 characters when strong passwords are enabled",
            ]
        );
        assert_eq!(
            strong().check("VQPLMXRTZ7#WB", &JOHN),
            ["must contain a lowercase letter"]
        );
    }

    #[test]
    fn strong_rule_can_be_switched_off() {
        assert!(plain().check("vqplmxrtz", &JOHN).is_empty());
    }

    #[test]
    fn the_list_has_thousands_of_entries() {
        let policy = plain();
        assert!(policy.common.len() > 19_000, "{}", policy.common.len());
        assert!(policy.common.contains("password"));
    }

    #[test]
    fn every_failed_rule_is_reported() {
        assert_eq!(
            strong().check(
                "1234",
                &UserAttributes {
                    username: "1234",
                    ..JOHN
                }
            ),
            [
                "must be at least 8 characters",
                "is too similar to the username",
                "is too common",
                "is entirely numeric",
                "must contain a lowercase letter",
                "must contain an uppercase letter",
                "must contain a special character",
            ]
        );
    }

    #[test]
    fn messages_never_contain_the_password() {
        for password in ["johnsmith1!", "Password1", "1234", "vqplmxrtz", "smith"] {
            for message in strong().check(password, &JOHN) {
                assert!(!message.contains(&password.to_lowercase()), "{message}");
                assert_eq!(message, message.to_lowercase());
                assert!(!message.ends_with('.'));
            }
        }
    }

    #[test]
    fn similarity_matches_difflib() {
        // Values from Python: SequenceMatcher(a=..., b=...).quick_ratio().
        assert!((quick_ratio("johnsmith1!", "johnsmith") - 0.9).abs() < 1e-9);
        assert!((quick_ratio("abcd", "bcda") - 1.0).abs() < 1e-9);
        assert!((quick_ratio("aab", "abb") - 2.0 * 2.0 / 6.0).abs() < 1e-9);
        assert_eq!(split_non_word(".a..b_c-"), ["", "a", "b_c", ""]);
    }
}
