//! Domain rules: what valid job sites, postings and opportunities are.
//! Request messages become validated values (or a list of field violations)
//! before anything touches the database. This module holds the checks every
//! resource shares.

pub mod analytics;
pub mod contact;
pub mod follow_up;
pub mod ics;
pub mod interview;
pub mod job_posting;
pub mod job_site;
pub mod opportunity;
pub mod search;
pub mod stage;
pub mod stage_event;
pub mod tag;

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

    /// Records the violations of a failed check that reports them as an
    /// [`Error`] (e.g. [`mask_paths`], `Page::parse`), so they are reported
    /// together with the rest. Other outcomes are left to the caller.
    pub fn include<T>(&mut self, result: &Result<T>) {
        if let Err(Error::InvalidArgument(found)) = result {
            self.0.extend(found.iter().cloned());
        }
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

/// An object id: a UUID in its canonical spelling (`shared::ids`).
pub fn id(raw: &str) -> Result<String, String> {
    if shared::ids::is_canonical_uuid(raw) {
        Ok(raw.to_owned())
    } else {
        Err("is not a valid id (a lowercase hyphenated UUID)".to_owned())
    }
}

/// The top-level `id` of a Get or Delete request; violations name `id`.
pub fn request_id(raw: &str) -> Result<String> {
    id(raw).map_err(|reason| Error::invalid("id", reason))
}

/// The paths of a required update mask, without duplicates.
pub fn mask_paths(mask: Option<FieldMask>) -> Result<Vec<String>> {
    let mut paths = mask.map(|m| m.paths).unwrap_or_default();
    // Order-preserving: `Vec::dedup` only drops adjacent repeats, and a
    // repeated path would set the same column twice in one UPDATE.
    let mut seen = std::collections::HashSet::new();
    paths.retain(|path| seen.insert(path.clone()));
    if paths.is_empty() {
        return Err(Error::invalid(
            "update_mask",
            "must name at least one field to update",
        ));
    }
    Ok(paths)
}

/// A validated value for one column, ready to bind. Column names travel
/// with it as `&'static str` from each resource's fixed allowlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A text column (JSON lists are text too).
    Text(String),
    /// An integer column: numbers, enums, 0/1 flags, times.
    Int(i64),
    /// A nullable integer column: optional times and counts.
    MaybeInt(Option<i64>),
    /// A nullable text column: optional references.
    MaybeText(Option<String>),
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<Option<i64>> for Value {
    fn from(value: Option<i64>) -> Self {
        Self::MaybeInt(value)
    }
}

/// Refuses more than `max` list entries.
pub fn bounded<T>(items: Vec<T>, max: usize) -> Result<Vec<T>, String> {
    if items.len() > max {
        return Err(format!("must have at most {max} entries"));
    }
    Ok(items)
}

/// Most comments on one object.
pub const MAX_COMMENTS: usize = 200;
/// Longest comment text.
pub const MAX_COMMENT_TEXT: usize = 2000;

/// A note as stored in a `comments` JSON column:
/// `[{"text": "...", "create_time": <unix seconds>}]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Comment {
    /// The note, 1-2000 characters.
    pub text: String,
    /// When it was written, Unix seconds.
    pub create_time: i64,
}

/// Checks a comment list (at most [`MAX_COMMENTS`], multi-line text of
/// 1-[`MAX_COMMENT_TEXT`] characters, an unset time meaning `now`), naming
/// violations like `<field>[2].text`. `None` if anything was recorded.
pub fn comments(
    violations: &mut Violations,
    field: &str,
    raw: &[shared::proto::jobsearch::jobs::v1::Comment],
    now: i64,
) -> Option<Vec<Comment>> {
    violations.check(field, bounded(raw.iter().collect(), MAX_COMMENTS))?;
    let mut valid = Vec::with_capacity(raw.len());
    for (i, comment) in raw.iter().enumerate() {
        let text = violations.check(
            &format!("{field}[{i}].text"),
            required_long_text(&comment.text, MAX_COMMENT_TEXT),
        );
        let time = violations.check(
            &format!("{field}[{i}].create_time"),
            timestamp(comment.create_time.as_ref()),
        );
        if let (Some(text), Some(time)) = (text, time) {
            valid.push(Comment {
                text,
                create_time: time.unwrap_or(now),
            });
        }
    }
    (valid.len() == raw.len()).then_some(valid)
}

/// Like [`long_text`], but must not be empty or only blanks.
pub fn required_long_text(raw: &str, max: usize) -> Result<String, String> {
    let value = long_text(raw, max)?;
    if value.trim().is_empty() {
        return Err("must not be empty".into());
    }
    Ok(value)
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
    fn mask_paths_drop_every_repeat_and_refuse_an_empty_mask() {
        let mask = |paths: &[&str]| FieldMask {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        };
        assert_eq!(
            mask_paths(Some(mask(&["a", "b", "a", "b"]))).unwrap(),
            ["a", "b"]
        );
        assert!(mask_paths(Some(mask(&[]))).is_err());
        assert!(mask_paths(None).is_err());
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

// Property tests, in a file of their own to keep this one short.
#[cfg(test)]
mod proptests;
