//! Tags and sources: the names a request puts on a posting or an
//! opportunity, normalised once here so every backend compares them alike,
//! and the `Source` enum as stored.

use shared::proto::jobsearch::jobs::v1::Source;

use super::{Violations, enum_value, required_text};

/// Longest tag name, in characters after trimming.
pub const MAX_TAG: usize = 50;
/// Most tags on one posting or opportunity.
pub const MAX_TAGS: usize = 20;

/// A checked tag name and the key it is unique under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagName {
    /// The name as given, trimmed.
    pub name: String,
    /// The name folded to lower case (Unicode-aware): equal keys are the
    /// same tag.
    pub key: String,
}

impl TagName {
    /// Checks one name: trimmed, 1-[`MAX_TAG`] characters, single line.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = required_text(raw, MAX_TAG)?;
        Ok(Self {
            key: name.to_lowercase(),
            name,
        })
    }
}

/// Checks a request's tag list, naming violations like `<field>[2]`.
/// Repeats (ignoring case) collapse into the first spelling. `None` if
/// anything was recorded.
pub fn names(violations: &mut Violations, field: &str, raw: &[String]) -> Option<Vec<TagName>> {
    if raw.len() > MAX_TAGS {
        violations.push(field, format!("must have at most {MAX_TAGS} entries"));
        return None;
    }
    let mut valid: Vec<TagName> = Vec::with_capacity(raw.len());
    let mut ok = true;
    for (i, entry) in raw.iter().enumerate() {
        match violations.check(&format!("{field}[{i}]"), TagName::parse(entry)) {
            Some(tag) if !valid.iter().any(|seen| seen.key == tag.key) => valid.push(tag),
            Some(_) => {}
            None => ok = false,
        }
    }
    ok.then_some(valid)
}

/// The tag filter of a list or search request: empty means none.
pub fn filter(raw: &str) -> Result<Option<String>, String> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    TagName::parse(raw).map(|tag| Some(tag.key))
}

/// A source as stored (its protobuf number); unspecified means not stated.
pub fn source(raw: i32) -> Result<i64, String> {
    enum_value(raw, Some(Source::Unspecified)).map(|s| i64::from(s as i32))
}

/// The source filter of a list or search request: unspecified means none.
pub fn source_filter(raw: i32) -> Result<Option<i64>, String> {
    source(raw).map(|s| (s != 0).then_some(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_deduplicated_ignoring_case() {
        let mut violations = Violations::default();
        let raw = [" Rust ".to_owned(), "rust".into(), "Ärger".into()];
        let tags = names(&mut violations, "t", &raw).unwrap();
        assert_eq!(
            tags,
            [
                TagName {
                    name: "Rust".into(),
                    key: "rust".into()
                },
                TagName {
                    name: "Ärger".into(),
                    key: "ärger".into()
                }
            ]
        );
        assert!(violations.finish().is_ok());
    }

    #[test]
    fn bad_names_and_long_lists_are_violations() {
        let mut violations = Violations::default();
        let raw = ["ok".to_owned(), " ".into(), "x".repeat(MAX_TAG + 1)];
        assert!(names(&mut violations, "t", &raw).is_none());
        let too_many: Vec<String> = (0..=MAX_TAGS).map(|i| i.to_string()).collect();
        assert!(names(&mut violations, "u", &too_many).is_none());
        let Err(crate::error::Error::InvalidArgument(found)) = violations.finish() else {
            panic!("expected violations");
        };
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["t[1]", "t[2]", "u"]);
    }

    #[test]
    fn filters_treat_empty_and_unspecified_as_none() {
        assert_eq!(filter("  ").unwrap(), None);
        assert_eq!(filter(" RUST").unwrap().as_deref(), Some("rust"));
        assert_eq!(source_filter(0).unwrap(), None);
        assert_eq!(source_filter(2).unwrap(), Some(2));
        assert!(source(99).is_err());
    }
}
