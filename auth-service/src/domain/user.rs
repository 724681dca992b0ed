//! User fields, parsed from request strings: usernames, e-mail addresses and
//! profile text. Each parser returns the clean value or a reason to report as
//! a field violation.

use unicode_normalization::UnicodeNormalization;

/// Longest username and name, as in Django's `AbstractUser`.
const NAME_MAX: usize = 150;
/// Longest e-mail address (RFC 5321 path limit).
const EMAIL_MAX: usize = 254;
/// Longest biography.
const BIO_MAX: usize = 5000;
/// Longest greeting and colour-mode value, as in the seed's model.
const SHORT_MAX: usize = 24;

/// A valid username and its case-insensitive uniqueness key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username {
    /// As entered, NFKC-normalised (like Django's `normalize_username`).
    pub display: String,
    /// Lowercased: what uniqueness and login compare.
    pub key: String,
}

impl Username {
    /// Parses a username: 1-150 letters, digits and `. + - _`.
    ///
    /// Unlike Django, `@` is not allowed: logins accept a username or an
    /// e-mail address, and a username shaped like someone else's address
    /// would make that lookup ambiguous.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let display: String = raw.nfkc().collect();
        if display.is_empty() {
            return Err("must not be empty".into());
        }
        if display.chars().count() > NAME_MAX {
            return Err(format!("must be at most {NAME_MAX} characters"));
        }
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '.' | '+' | '-' | '_');
        if !display.chars().all(allowed) {
            return Err("may contain only letters, digits and . + - _".into());
        }
        let key = display.to_lowercase();
        Ok(Self { display, key })
    }
}

/// A plausible e-mail address and its case-insensitive uniqueness key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// As entered (surrounding whitespace removed).
    pub display: String,
    /// Lowercased: what uniqueness and login compare.
    pub key: String,
}

impl Email {
    /// Parses an address of the form `local@domain.tld`. Deliverability is
    /// not checked; this only refuses what cannot be an address.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let display = raw.trim().to_owned();
        if display.is_empty() {
            return Err("must not be empty".into());
        }
        if display.chars().count() > EMAIL_MAX {
            return Err(format!("must be at most {EMAIL_MAX} characters"));
        }
        let invalid = || "is not a valid e-mail address".to_owned();
        let (local, domain) = display.rsplit_once('@').ok_or_else(invalid)?;
        let bad_char = |c: char| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok || display.chars().any(bad_char) {
            return Err(invalid());
        }
        let key = display.to_lowercase();
        Ok(Self { display, key })
    }
}

/// Checks a free-text profile field: at most `max` characters, no control
/// characters except newlines and tabs in multi-line fields.
pub fn text(raw: &str, max: usize, multiline: bool) -> Result<String, String> {
    if raw.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
    if !raw.chars().all(allowed) {
        return Err("must not contain control characters".into());
    }
    Ok(raw.to_owned())
}

/// A first or last name.
pub fn name(raw: &str) -> Result<String, String> {
    text(raw.trim(), NAME_MAX, false)
}

/// A biography.
pub fn bio(raw: &str) -> Result<String, String> {
    text(raw, BIO_MAX, true)
}

/// A greeting or colour mode.
pub fn short_text(raw: &str) -> Result<String, String> {
    text(raw, SHORT_MAX, false)
}

/// A timestamp field as Unix seconds; sub-second precision is dropped.
pub fn timestamp(raw: Option<&prost_types::Timestamp>) -> Result<Option<i64>, String> {
    // Years 1..=9999, the range every client library can represent.
    const MIN: i64 = -62_135_596_800;
    const MAX: i64 = 253_402_300_799;
    match raw {
        None => Ok(None),
        Some(ts) if (MIN..=MAX).contains(&ts.seconds) && (0..1_000_000_000).contains(&ts.nanos) => {
            Ok(Some(ts.seconds))
        }
        Some(_) => Err("must be a timestamp between years 1 and 9999".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_compared_without_case() {
        let a = Username::parse("Alice.Smith").unwrap();
        let b = Username::parse("alice.smith").unwrap();
        assert_eq!(a.display, "Alice.Smith");
        assert_eq!(a.key, b.key);
    }

    #[test]
    fn usernames_refuse_empty_long_and_odd_characters() {
        assert!(Username::parse("").is_err());
        assert!(Username::parse(&"a".repeat(151)).is_err());
        assert!(Username::parse("al ice").is_err());
        assert!(Username::parse("alice@example.com").is_err());
        assert!(Username::parse("al;ice").is_err());
    }

    #[test]
    fn usernames_are_nfkc_normalised() {
        // U+FB01 (the "fi" ligature) folds to "fi", as Django does.
        assert_eq!(Username::parse("\u{fb01}sh").unwrap().display, "fish");
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(Email::parse("a@example.com").is_ok());
        assert_eq!(
            Email::parse(" A@Example.COM ").unwrap().key,
            "a@example.com"
        );
        for bad in [
            "",
            "a",
            "@example.com",
            "a@example",
            "a@.com",
            "a b@example.com",
            "a@example..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn profile_text_is_bounded_and_free_of_control_characters() {
        assert!(short_text(&"x".repeat(25)).is_err());
        assert!(short_text("Welcome!").is_ok());
        assert!(name("Ann\u{0}").is_err());
        assert!(bio("line one\nline two").is_ok());
    }

    #[test]
    fn timestamps_outside_the_calendar_are_refused() {
        let ts = |seconds, nanos| prost_types::Timestamp { seconds, nanos };
        assert_eq!(timestamp(Some(&ts(10, 5))).unwrap(), Some(10));
        assert!(timestamp(Some(&ts(i64::MAX, 0))).is_err());
        assert!(timestamp(Some(&ts(0, -1))).is_err());
    }
}
