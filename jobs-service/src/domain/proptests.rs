//! Property tests of the shared field checks, update masks and page tokens:
//! each accepts exactly the documented range and refuses everything else
//! with a violation naming the field, never a panic. The round trips of
//! whole resources through their messages are in `grpc/proptests.rs`.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use proptest::prelude::*;
use shared::proto::jobsearch::jobs::v1::{self as pb, PostingStatus};

use super::{
    TIME_MAX, enum_value, http_url, job_posting, job_site, long_text, opportunity, text, timestamp,
};
use crate::{error::Error, paging::Page};

/// Characters that are neither control characters nor whitespace: what
/// single-line text keeps after trimming.
const VISIBLE: &str = "[^\\p{Cc}\\s]";

fn fields(error: Error) -> Vec<String> {
    match error {
        Error::InvalidArgument(violations) => violations.into_iter().map(|(f, _)| f).collect(),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

fn mask(paths: &[String]) -> Option<prost_types::FieldMask> {
    Some(prost_types::FieldMask {
        paths: paths.to_vec(),
    })
}

/// Paths no resource has: arbitrary text, including empty and dotted paths.
fn unknown_paths() -> impl Strategy<Value = Vec<String>> {
    let path = prop_oneof![any::<String>(), "[a-z_.]{0,20}", Just(String::new())];
    prop::collection::vec(path, 1..5).prop_map(|paths| {
        paths
            .into_iter()
            .filter(|p| !p.is_empty() && p.chars().any(|c| !c.is_ascii_lowercase() && c != '_'))
            .chain(["no_such_field".to_owned()])
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn text_accepts_up_to_max_visible_characters_and_trims(
        body in prop::collection::vec(VISIBLE, 0..40).prop_map(|c| c.concat()),
        pad in "[ \t\n\u{a0}\u{3000}]{0,3}",
        max in 0usize..40,
    ) {
        let raw = format!("{pad}{body}{pad}");
        let result = text(&raw, max);
        if body.chars().count() <= max {
            prop_assert_eq!(result, Ok(body));
        } else {
            prop_assert_eq!(result, Err(format!("must be at most {max} characters")));
        }
    }

    #[test]
    fn single_line_text_refuses_a_control_character_inside(
        head in VISIBLE, tail in VISIBLE, control in "\\p{Cc}",
    ) {
        let raw = format!("{head}{control}{tail}");
        prop_assert!(text(&raw, 10).is_err());
    }

    #[test]
    fn long_text_allows_newlines_and_tabs_but_no_other_control(
        lines in prop::collection::vec("[^\\p{Cc}]{0,10}", 1..5),
        control in "\\p{Cc}",
    ) {
        let clean = lines.join("\r\n\t");
        prop_assert_eq!(long_text(&clean, 1000), Ok(clean.clone()));
        let with_control = format!("{clean}{control}");
        let allowed = matches!(control.as_str(), "\n" | "\r" | "\t");
        prop_assert_eq!(long_text(&with_control, 1000).is_ok(), allowed);
    }

    #[test]
    fn http_urls_within_the_limit_give_their_host(
        scheme in prop_oneof![Just("http"), Just("https")],
        host in "[a-z][a-z0-9-]{0,15}(\\.[a-z]{2,6}){1,2}",
        path in "(/[A-Za-z0-9_~-]{0,8}){0,4}",
        other_scheme in prop_oneof![Just("ftp"), Just("javascript"), Just("file"), Just("data")],
    ) {
        let url = format!("{scheme}://{host}{path}");
        let length = url.chars().count();
        prop_assert_eq!(http_url(&url, length), Ok((url.clone(), host.clone())));
        prop_assert!(http_url(&url, length - 1).is_err());
        let refused = format!("{other_scheme}://{host}{path}");
        prop_assert!(http_url(&refused, 1000).is_err());
    }

    #[test]
    fn timestamps_are_accepted_exactly_from_1970_to_2200(
        seconds in prop_oneof![any::<i64>(), -2i64..3, TIME_MAX - 2..TIME_MAX + 2],
        nanos in prop_oneof![any::<i32>(), -1i32..2, 999_999_998i32..1_000_000_001],
    ) {
        let ts = prost_types::Timestamp { seconds, nanos };
        let valid = (0..TIME_MAX).contains(&seconds) && (0..1_000_000_000).contains(&nanos);
        let result = timestamp(Some(&ts));
        prop_assert_eq!(result.is_ok(), valid);
        if valid {
            prop_assert_eq!(result, Ok(Some(seconds)));
        }
    }

    #[test]
    fn enums_take_known_numbers_and_zero_only_with_a_default(raw in prop_oneof![any::<i32>(), -2i32..12]) {
        let known = PostingStatus::try_from(raw).is_ok();
        let required = enum_value::<PostingStatus>(raw, None);
        prop_assert_eq!(required.is_ok(), known && raw != 0);
        let defaulted = enum_value(raw, Some(PostingStatus::Open));
        match defaulted {
            Ok(status) if raw == 0 => prop_assert_eq!(status, PostingStatus::Open),
            Ok(status) => prop_assert_eq!(status as i32, raw),
            Err(reason) => {
                prop_assert!(!known);
                prop_assert_eq!(reason, format!("{raw} is not a known value"));
            }
        }
    }

    #[test]
    fn site_masks_with_unknown_paths_name_each_path(paths in unknown_paths()) {
        let raw = pb::JobSite { id: uuid::Uuid::now_v7().to_string(), ..Default::default() };
        let found = fields(job_site::parse_update(Some(raw), mask(&paths)).unwrap_err());
        for path in &paths {
            prop_assert!(found.contains(&format!("job_site.{path}")), "{path:?} not in {found:?}");
        }
    }

    #[test]
    fn posting_masks_with_unknown_paths_name_each_path(paths in unknown_paths()) {
        let raw = pb::JobPosting { id: uuid::Uuid::now_v7().to_string(), ..Default::default() };
        let found = fields(job_posting::parse_update(Some(raw), mask(&paths), 0).unwrap_err());
        for path in &paths {
            prop_assert!(found.contains(&format!("job_posting.{path}")), "{path:?} not in {found:?}");
        }
    }

    #[test]
    fn opportunity_masks_with_unknown_paths_name_each_path(paths in unknown_paths()) {
        let raw = pb::Opportunity { id: uuid::Uuid::now_v7().to_string(), ..Default::default() };
        let found = fields(opportunity::parse_update(Some(raw), mask(&paths), 0).unwrap_err());
        for path in &paths {
            prop_assert!(found.contains(&format!("opportunity.{path}")), "{path:?} not in {found:?}");
        }
    }

    #[test]
    fn page_sizes_are_accepted_exactly_from_0_to_100(size in prop_oneof![any::<i32>(), -2i32..103]) {
        match Page::parse(size, "") {
            Ok(page) => {
                prop_assert!((0..=100).contains(&size));
                prop_assert_eq!(page.size, if size == 0 { 50 } else { i64::from(size) });
            }
            Err(error) => {
                prop_assert!(!(0..=100).contains(&size));
                prop_assert_eq!(fields(error), ["page_size"]);
            }
        }
    }

    #[test]
    fn page_tokens_lead_back_to_the_last_row(ids in prop::collection::vec(any::<u128>(), 1..30)) {
        let ids: Vec<String> = ids.into_iter().map(|n| uuid::Uuid::from_u128(n).to_string()).collect();
        let size = i32::try_from(ids.len()).unwrap();
        let page = Page::parse(size - 1, "").unwrap_or(Page { after: String::new(), size: 50 });
        let expected_size = usize::try_from(page.size).unwrap();
        let (rows, token) = page.finish(ids.clone(), |id| id);
        if ids.len() > expected_size {
            prop_assert_eq!(rows.len(), expected_size);
            prop_assert_eq!(Page::parse(0, &token).unwrap().after, ids[expected_size - 1].clone());
        } else {
            prop_assert_eq!(token, "");
        }
    }

    #[test]
    fn mutated_page_tokens_are_refused_or_name_another_id_exactly(
        id in any::<u128>(), at in any::<prop::sample::Index>(), with in any::<char>(), delete in any::<bool>(),
    ) {
        let token = URL_SAFE_NO_PAD.encode(uuid::Uuid::from_u128(id).to_string());
        let mut chars: Vec<char> = token.chars().collect();
        let i = at.index(chars.len());
        if delete { chars.remove(i); } else { chars[i] = with; }
        let mutated: String = chars.into_iter().collect();
        prop_assume!(mutated != token);
        match Page::parse(10, &mutated) {
            // One changed character can spell another valid id, which is
            // harmless (lists filter by owner), but only in canonical form.
            Ok(page) => prop_assert_eq!(URL_SAFE_NO_PAD.encode(&page.after), mutated),
            Err(error) => prop_assert_eq!(fields(error), ["page_token"]),
        }
    }

    #[test]
    fn arbitrary_page_tokens_are_refused_naming_only_page_token(token in any::<String>()) {
        prop_assume!(!token.is_empty());
        if let Err(error) = Page::parse(1, &token) {
            prop_assert_eq!(fields(error), ["page_token"]);
        }
    }
}
