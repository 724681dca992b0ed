//! Keyset pagination shared by every list: pages are ordered by id (UUIDv7,
//! so creation order), and the opaque page token is the last id returned.
//! Stable under inserts, and never an OFFSET scan.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::error::{Error, Result};

/// Page size when the request gives none.
pub const DEFAULT_PAGE_SIZE: i64 = 50;
/// Largest page size accepted.
pub const MAX_PAGE_SIZE: i64 = 100;

/// A validated page request: continue after `after`, return up to `size`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Last id of the previous page; empty for the first page.
    pub after: String,
    /// Rows wanted.
    pub size: i64,
}

impl Page {
    /// Checks `page_size` (0 = default) and decodes `page_token`.
    pub fn parse(page_size: i32, page_token: &str) -> Result<Self> {
        let size = match i64::from(page_size) {
            0 => DEFAULT_PAGE_SIZE,
            n if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => return Err(Error::invalid("page_size", "must be between 0 and 100")),
        };
        let after = if page_token.is_empty() {
            String::new()
        } else {
            decode(page_token).ok_or_else(|| {
                Error::invalid("page_token", "is not a token from a previous page")
            })?
        };
        Ok(Self { after, size })
    }

    /// Rows to fetch: one more than the page, to learn whether another exists.
    pub fn fetch_limit(&self) -> i64 {
        self.size + 1
    }

    /// Trims the extra row and returns the page with its next-page token.
    pub fn finish<T>(&self, mut rows: Vec<T>, id_of: impl Fn(&T) -> &str) -> (Vec<T>, String) {
        let size = usize::try_from(self.size).unwrap_or(usize::MAX);
        if rows.len() > size {
            rows.truncate(size);
            let token = rows
                .last()
                .map(|row| URL_SAFE_NO_PAD.encode(id_of(row)))
                .unwrap_or_default();
            (rows, token)
        } else {
            (rows, String::new())
        }
    }
}

fn decode(token: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let id = String::from_utf8(bytes).ok()?;
    shared::ids::is_canonical_uuid(&id).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_default_and_are_capped() {
        assert_eq!(Page::parse(0, "").unwrap().size, 50);
        assert_eq!(Page::parse(100, "").unwrap().size, 100);
        assert!(Page::parse(101, "").is_err());
        assert!(Page::parse(-1, "").is_err());
    }

    #[test]
    fn tokens_round_trip_and_garbage_is_refused() {
        let page = Page::parse(2, "").unwrap();
        let ids = [
            "01000000-0000-7000-8000-000000000001",
            "01000000-0000-7000-8000-000000000002",
            "x",
        ];
        let (rows, token) = page.finish(ids.to_vec(), |s| s);
        assert_eq!(rows.len(), 2);
        assert_eq!(Page::parse(2, &token).unwrap().after, ids[1]);
        assert!(Page::parse(2, "' OR 1=1").is_err());
        assert!(Page::parse(2, &URL_SAFE_NO_PAD.encode("not-a-uuid")).is_err());
    }
}
