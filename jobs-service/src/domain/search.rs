//! Full-text search requests: the query text, checked and split into words
//! that each backend receives as data, never as query syntax; the filters
//! (those of `ListJobPostings`); and the offset page token.
//!
//! Search pages by offset, not by key: the rank is a float that moves as
//! the user's postings change, so a `(rank, id)` key could skip or repeat
//! rows as badly as an offset, and an offset is honest about it. Offsets are
//! capped so a token cannot ask for a deep scan.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use shared::proto::jobsearch::jobs::v1::{self as pb, PostingStatus};

use super::{Violations, enum_value, id, job_posting::PostingFilter, tag, text};
use crate::{
    error::{Error, Result},
    paging::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE},
};

/// Longest query, in characters.
pub const MAX_QUERY: usize = 200;
/// Deepest result reachable by paging.
pub const MAX_OFFSET: i64 = 10_000;
/// What a search page token starts with, so a list token is refused.
const TOKEN_PREFIX: &str = "search:";

/// A checked query: its words, in order. Words without a letter or digit
/// are dropped: no tokenizer would index them, so they cannot match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// The words, each as typed (quotes and operators included).
    pub words: Vec<String>,
}

impl SearchQuery {
    /// Checks the text: 1-[`MAX_QUERY`] characters, single line.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = text(raw, MAX_QUERY)?;
        if value.is_empty() {
            return Err("must not be empty".into());
        }
        let words = value
            .split_whitespace()
            .filter(|word| word.chars().any(char::is_alphanumeric))
            .map(str::to_owned)
            .collect();
        Ok(Self { words })
    }

    /// The FTS5 `MATCH` expression: each word a quoted string (`"` doubled
    /// inside), so `OR`, `NEAR(`, `*`, `-` or a stray quote are text to
    /// match, and the words are implicitly ANDed.
    pub fn fts5(&self) -> String {
        self.words
            .iter()
            .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The plain text for PostgreSQL's `plainto_tsquery`, which ANDs the
    /// words and ignores every operator.
    pub fn plain(&self) -> String {
        self.words.join(" ")
    }
}

/// A validated search: the query, the filters and the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// What to find.
    pub query: SearchQuery,
    /// Which postings to search.
    pub filter: PostingFilter,
    /// Rows to skip.
    pub offset: i64,
    /// Rows wanted.
    pub size: i64,
}

impl Search {
    /// Trims the extra row (fetched to learn whether another page exists)
    /// and returns the page with its next-page token.
    pub fn finish<T>(&self, mut rows: Vec<T>) -> (Vec<T>, String) {
        let size = usize::try_from(self.size).unwrap_or(usize::MAX);
        let next = self.offset + self.size;
        if rows.len() > size && next <= MAX_OFFSET {
            rows.truncate(size);
            (
                rows,
                URL_SAFE_NO_PAD.encode(format!("{TOKEN_PREFIX}{next}")),
            )
        } else {
            rows.truncate(size);
            (rows, String::new())
        }
    }
}

/// Checks a search request, reporting every violation at once.
pub fn parse(raw: &pb::SearchJobPostingsRequest) -> Result<Search> {
    let mut violations = Violations::default();
    let query = violations.check("query", SearchQuery::parse(&raw.query));
    let size = violations.check("page_size", page_size(raw.page_size));
    let offset = violations.check("page_token", offset(&raw.page_token));
    let job_site_id = match raw.job_site_id.as_str() {
        "" => None,
        site => violations.check("job_site_id", id(site)),
    };
    let mut statuses = Vec::with_capacity(raw.statuses.len());
    for (i, status) in raw.statuses.iter().enumerate() {
        let known = enum_value::<PostingStatus>(*status, None).map(|s| i64::from(s as i32));
        statuses.extend(violations.check(&format!("statuses[{i}]"), known));
    }
    let tag = violations.check("tag", tag::filter(&raw.tag));
    let source = violations.check("source", tag::source_filter(raw.source));
    violations.finish()?;
    let (Some(query), Some(size), Some(offset)) = (query, size, offset) else {
        return Err(Error::invalid("query", "is not valid"));
    };
    Ok(Search {
        query,
        filter: PostingFilter {
            job_site_id,
            statuses,
            tag: tag.flatten(),
            source: source.flatten(),
            ..PostingFilter::default()
        },
        offset,
        size,
    })
}

/// `page_size`: 0 means the default.
fn page_size(raw: i32) -> Result<i64, String> {
    match i64::from(raw) {
        0 => Ok(DEFAULT_PAGE_SIZE),
        n if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
        _ => Err(format!("must be between 0 and {MAX_PAGE_SIZE}")),
    }
}

/// The offset a page token stands for (empty: the start).
fn offset(token: &str) -> Result<i64, String> {
    if token.is_empty() {
        return Ok(0);
    }
    let refused = || "is not a token from a previous search".to_owned();
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| refused())?;
    let text = String::from_utf8(bytes).map_err(|_| refused())?;
    let number = text.strip_prefix(TOKEN_PREFIX).ok_or_else(refused)?;
    match number.parse::<i64>() {
        Ok(n) if (1..=MAX_OFFSET).contains(&n) => Ok(n),
        _ => Err(refused()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_quoted_for_fts5() {
        let query = SearchQuery::parse(r#" "foo OR NEAR( a"b * ( "#).unwrap();
        assert_eq!(query.words, [r#""foo"#, "OR", "NEAR(", r#"a"b"#]);
        assert_eq!(query.fts5(), r#""""foo" "OR" "NEAR(" "a""b""#);
        assert_eq!(query.plain(), r#""foo OR NEAR( a"b"#);
    }

    #[test]
    fn empty_long_and_control_queries_are_refused() {
        assert!(SearchQuery::parse("   ").is_err());
        assert!(SearchQuery::parse(&"a".repeat(MAX_QUERY + 1)).is_err());
        assert!(SearchQuery::parse("a\u{0}b").is_err());
        assert!(SearchQuery::parse("( * )").unwrap().words.is_empty());
    }

    #[test]
    fn tokens_round_trip_and_are_bounded() {
        let search = Search {
            query: SearchQuery::parse("rust").unwrap(),
            filter: PostingFilter::default(),
            offset: 0,
            size: 2,
        };
        let (rows, token) = search.finish(vec![1, 2, 3]);
        assert_eq!(rows, [1, 2]);
        assert_eq!(offset(&token).unwrap(), 2);
        assert_eq!(search.finish(vec![1, 2]).1, "");
        assert!(offset("garbage!").is_err());
        let deep = URL_SAFE_NO_PAD.encode(format!("{TOKEN_PREFIX}{}", MAX_OFFSET + 1));
        assert!(offset(&deep).is_err());
        let list_token = URL_SAFE_NO_PAD.encode("01000000-0000-7000-8000-000000000001");
        assert!(offset(&list_token).is_err());
    }
}
