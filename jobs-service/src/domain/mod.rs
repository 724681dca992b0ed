//! Domain rules: what valid job sites, postings and opportunities are.
//! Request messages become validated values (or a list of field violations)
//! before anything touches the database. This module holds the checks every
//! resource shares.

pub mod job_posting;
pub mod job_site;
pub mod opportunity;

use prost_types::{FieldMask, Timestamp};

use crate::error::{Error, Result};

/// Collects every field violation of a request, so all are reported at once.
#[derive(Debug, Default)]
pub struct Violations(Vec<(String, String)>);

impl Violations {
    /// Records `reason` against `field`.
    pub fn push(&mut self, field: &str, reason: impl Into<String>) {
        self.0.push((field.to_owned(), reason.into()));
    }

    /// The value, or `None` with the reason recorded against `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|reason| self.push(field, reason)).ok()
    }

    /// `Ok` if nothing was recorded, else `INVALID_ARGUMENT` with everything.
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidArgument(self.0))
        }
    }
}

/// Single-line text of at most `max` characters, trimmed; empty allowed.
pub fn text(raw: &str, max: usize) -> Result<String, String> {
    let value = raw.trim();
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(value.to_owned())
}

/// Like [`text`], but must not be empty.
pub fn required_text(raw: &str, max: usize) -> Result<String, String> {
    let value = text(raw, max)?;
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    Ok(value)
}

/// Multi-line text of at most `max` characters (newlines and tabs allowed).
pub fn long_text(raw: &str, max: usize) -> Result<String, String> {
    if raw.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if raw
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("must not contain control characters".into());
    }
    Ok(raw.to_owned())
}

/// A secret (password) of at most `max` characters, kept exactly as given.
pub fn secret(raw: &str, max: usize) -> Result<String, String> {
    if raw.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    Ok(raw.to_owned())
}

/// An absolute http(s) URL of at most `max` characters, or empty. Returns
/// the URL (trimmed) and its host.
pub fn http_url(raw: &str, max: usize) -> Result<(String, String), String> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok((String::new(), String::new()));
    }
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    let url = url::Url::parse(value).map_err(|_| "is not a valid URL".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".into());
    }
    let host = url
        .host_str()
        .ok_or_else(|| "must have a host".to_owned())?;
    Ok((value.to_owned(), host.to_owned()))
}

/// Earliest and latest sane times: 1970-01-01 and 2200-01-01 (UTC).
const TIME_MIN: i64 = 0;
const TIME_MAX: i64 = 7_258_118_400;

/// An optional timestamp as Unix seconds (UTC); sub-seconds are dropped.
pub fn timestamp(raw: Option<&Timestamp>) -> Result<Option<i64>, String> {
    match raw {
        None => Ok(None),
        Some(ts)
            if (TIME_MIN..TIME_MAX).contains(&ts.seconds)
                && (0..1_000_000_000).contains(&ts.nanos) =>
        {
            Ok(Some(ts.seconds))
        }
        Some(_) => Err("must be a time between 1970 and 2200".into()),
    }
}

/// A required timestamp.
pub fn required_timestamp(raw: Option<&Timestamp>) -> Result<i64, String> {
    timestamp(raw)?.ok_or_else(|| "is required".to_owned())
}

/// A known value of a protobuf enum (`E::try_from(i32)`); the zero
/// (UNSPECIFIED) value maps to `default` if given, else is refused.
pub fn enum_value<E: TryFrom<i32>>(raw: i32, default: Option<E>) -> Result<E, String> {
    match (raw, default) {
        (0, Some(default)) => Ok(default),
        (0, None) => Err("must be specified".into()),
        _ => E::try_from(raw).map_err(|_| format!("{raw} is not a known value")),
    }
}

/// An object id: a UUID string.
pub fn id(raw: &str) -> Result<String, String> {
    uuid::Uuid::parse_str(raw)
        .map(|_| raw.to_owned())
        .map_err(|_| "is not a valid id".to_owned())
}

/// The paths of a required update mask, without duplicates.
pub fn mask_paths(mask: Option<FieldMask>) -> Result<Vec<String>> {
    let mut paths = mask.map(|m| m.paths).unwrap_or_default();
    paths.dedup();
    if paths.is_empty() {
        return Err(Error::invalid(
            "update_mask",
            "must name at least one field to update",
        ));
    }
    Ok(paths)
}

/// Refuses more than `max` list entries.
pub fn bounded<T>(items: Vec<T>, max: usize) -> Result<Vec<T>, String> {
    if items.len() > max {
        return Err(format!("must have at most {max} entries"));
    }
    Ok(items)
}

/// The current time in Unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_absolute_http_and_give_their_host() {
        assert_eq!(
            http_url(" https://jobs.example.com/p/1 ", 100).unwrap(),
            (
                "https://jobs.example.com/p/1".to_owned(),
                "jobs.example.com".to_owned()
            )
        );
        assert_eq!(http_url("", 100).unwrap().0, "");
        assert!(http_url("javascript:alert(1)", 100).is_err());
        assert!(http_url("not a url", 100).is_err());
        assert!(http_url("https://example.com/", 5).is_err());
    }

    #[test]
    fn text_is_trimmed_bounded_and_clean() {
        assert_eq!(required_text("  Acme ", 10).unwrap(), "Acme");
        assert!(required_text("   ", 10).is_err());
        assert!(text("x\u{7}", 10).is_err());
        assert!(text(&"é".repeat(11), 10).is_err());
        assert!(long_text("a\nb", 10).is_ok());
    }

    #[test]
    fn timestamps_must_be_sane() {
        let ts = |seconds| Timestamp { seconds, nanos: 0 };
        assert_eq!(
            timestamp(Some(&ts(1_700_000_000))).unwrap(),
            Some(1_700_000_000)
        );
        assert!(timestamp(Some(&ts(-1))).is_err());
        assert!(timestamp(Some(&ts(TIME_MAX))).is_err());
    }
}
