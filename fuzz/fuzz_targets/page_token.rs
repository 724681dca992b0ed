//! Arbitrary page sizes and page tokens through both services' decoders
//! (jobs-service `Page::parse`, auth-service `ListUsers`). Input: four bytes
//! of page size (little-endian), then the token. Beyond "never panics": a
//! decoded token is canonical (re-encoding its id gives the same token, so
//! one position has one spelling), and a page's next token leads back to it.
#![no_main]

use auth_service::service::accounts::decode_page_token;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use jobs_service::paging::{MAX_PAGE_SIZE, Page};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (size, token) = match data.split_first_chunk::<4>() {
        Some((size, token)) => (i32::from_le_bytes(*size), token),
        None => (0, data),
    };
    let token = String::from_utf8_lossy(token);

    if let Ok(page) = Page::parse(size, &token) {
        assert!((1..=MAX_PAGE_SIZE).contains(&page.size));
        assert_eq!(page.after.is_empty(), token.is_empty());
        if !token.is_empty() {
            assert_eq!(URL_SAFE_NO_PAD.encode(&page.after), token);
        }
        // A full page whose last row is `after` continues right after it.
        let rows = vec![page.after.as_str(); usize::try_from(page.fetch_limit()).unwrap_or(0)];
        let (rows, next) = page.finish(rows, |row| row);
        assert_eq!(rows.len() as i64, page.size);
        if !page.after.is_empty() {
            assert_eq!(
                Page::parse(size, &next).map(|p| p.after).ok(),
                Some(page.after.clone())
            );
        }
    }

    if let Ok(Some(id)) = decode_page_token(&token) {
        assert_eq!(URL_SAFE_NO_PAD.encode(&id), token);
    }
});
