//! Validation of job sites: a create request and a masked update both become
//! [`SiteChanges`] (validated column values plus the password, which only the
//! service can seal because the ciphertext is bound to the record's id).
//! Create and update share the per-field checks, so they never disagree.

use prost_types::FieldMask;
use secrecy::SecretString;
use shared::proto::jobsearch::jobs::v1 as pb;

use super::{
    Value, Violations, http_url, id, long_text, mask_paths, required_text, secret, text, timestamp,
};
use crate::error::{Error, Result};

/// Longest site name.
pub const MAX_SITE_NAME: usize = 64;
/// Longest site URL.
pub const MAX_SITE_URL: usize = 500;
/// Longest stored password.
pub const MAX_PASSWORD: usize = 255;
/// Longest résumé format.
pub const MAX_RESUME_FORMAT: usize = 50;
/// Longest headline.
pub const MAX_HEADLINE: usize = 255;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 10_000;
/// Rating given when a create leaves it 0.
pub const DEFAULT_RATING: i64 = 1;

/// The writable fields of `JobSite`, in message order. A create checks all of
/// them; an update mask may name any of them.
const WRITABLE: [&str; 11] = [
    "site_name",
    "site_url",
    "site_password",
    "rating",
    "resume_format",
    "github_field",
    "project_site_field",
    "last_visited_at",
    "resume_updated_at",
    "headline",
    "description",
];

/// Validated new values for a job site's columns.
#[derive(Debug, Default)]
pub struct SiteChanges {
    /// Column names (from this module's allowlist) and their values.
    pub columns: Vec<(&'static str, Value)>,
    /// The new password, if it changes; `SecretString` keeps it out of logs.
    pub password: Option<SecretString>,
}

/// A validated update of one job site.
#[derive(Debug)]
pub struct SiteUpdate {
    /// The site's id.
    pub id: String,
    /// The masked fields' new values; never empty.
    pub changes: SiteChanges,
}

/// Checks every writable field of a site to create; output-only fields are
/// ignored. A rating of 0 means the default.
pub fn parse_create(raw: Option<&pb::JobSite>) -> Result<SiteChanges> {
    let empty = pb::JobSite::default();
    let raw = raw.unwrap_or(&empty);
    let mut violations = Violations::default();
    let mut changes = SiteChanges::default();
    for path in WRITABLE {
        check(&mut violations, &mut changes, raw, path, true);
    }
    violations.finish()?;
    Ok(changes)
}

/// Checks the id and every masked field of an update; unmasked fields are
/// ignored. Unknown and output-only paths are violations on `job_site.<path>`.
pub fn parse_update(raw: Option<pb::JobSite>, mask: Option<FieldMask>) -> Result<SiteUpdate> {
    let raw = raw.unwrap_or_default();
    let mut violations = Violations::default();
    let id = violations.check("job_site.id", id(&raw.id));
    let paths = match mask_paths(mask) {
        Ok(paths) => paths,
        Err(Error::InvalidArgument(found)) => {
            // Reported together with the other violations.
            found.into_iter().for_each(|(f, r)| violations.push(&f, r));
            Vec::new()
        }
        Err(other) => return Err(other),
    };
    let mut changes = SiteChanges::default();
    for path in &paths {
        check(&mut violations, &mut changes, &raw, path, false);
    }
    violations.finish()?;
    Ok(SiteUpdate {
        id: id.unwrap_or_default(),
        changes,
    })
}

/// Checks the field at `path`, adding its column to `changes` or its
/// violation to `violations`.
fn check(
    violations: &mut Violations,
    changes: &mut SiteChanges,
    raw: &pb::JobSite,
    path: &str,
    creating: bool,
) {
    let field = format!("job_site.{path}");
    if path == "site_password" {
        let password = violations.check(&field, secret(&raw.site_password, MAX_PASSWORD));
        changes.password = password.map(SecretString::from);
        return;
    }
    if let Some((column, value)) = violations.check(&field, column(raw, path, creating)) {
        changes.columns.push((column, value));
    }
}

/// The column a path sets and its checked value. This match is the allowlist
/// of writable columns: column names never come from a request.
fn column(raw: &pb::JobSite, path: &str, creating: bool) -> Result<(&'static str, Value), String> {
    let flag = |on: bool| Value::Int(i64::from(on));
    Ok(match path {
        "site_name" => (
            "site_name",
            required_text(&raw.site_name, MAX_SITE_NAME)?.into(),
        ),
        "site_url" => ("site_url", http_url(&raw.site_url, MAX_SITE_URL)?.0.into()),
        "rating" => ("rating", rating(raw.rating, creating)?.into()),
        "resume_format" => (
            "resume_format",
            text(&raw.resume_format, MAX_RESUME_FORMAT)?.into(),
        ),
        "github_field" => ("github_field", flag(raw.github_field)),
        "project_site_field" => ("project_site_field", flag(raw.project_site_field)),
        "last_visited_at" => (
            "last_visited_at",
            timestamp(raw.last_visited_at.as_ref())?.into(),
        ),
        "resume_updated_at" => (
            "resume_updated_at",
            timestamp(raw.resume_updated_at.as_ref())?.into(),
        ),
        "headline" => ("headline", text(&raw.headline, MAX_HEADLINE)?.into()),
        "description" => (
            "description",
            long_text(&raw.description, MAX_DESCRIPTION)?.into(),
        ),
        "id" | "create_time" | "update_time" => return Err("is output only".into()),
        _ => return Err("is not a field of JobSite".into()),
    })
}

/// A rating of 1-5; 0 means the default on create only (an update naming
/// `rating` must give a real value).
fn rating(raw: i32, creating: bool) -> Result<i64, String> {
    match raw {
        0 if creating => Ok(DEFAULT_RATING),
        1..=5 => Ok(i64::from(raw)),
        _ => Err("must be between 1 and 5".into()),
    }
}

#[cfg(test)]
mod tests {
    use prost_types::Timestamp;
    use secrecy::ExposeSecret as _;

    use super::*;

    fn fields(error: Error) -> Vec<String> {
        match error {
            Error::InvalidArgument(violations) => violations.into_iter().map(|(f, _)| f).collect(),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    fn mask(paths: &[&str]) -> Option<FieldMask> {
        Some(FieldMask {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        })
    }

    fn value<'a>(changes: &'a SiteChanges, column: &str) -> Option<&'a Value> {
        changes
            .columns
            .iter()
            .find(|(name, _)| *name == column)
            .map(|(_, value)| value)
    }

    #[test]
    fn create_fills_defaults_and_keeps_the_password_exact() {
        let raw = pb::JobSite {
            site_name: "  Board ".into(),
            site_url: "https://jobs.example.com/".into(),
            site_password: " p@ss ".into(),
            github_field: true,
            ..Default::default()
        };
        let changes = parse_create(Some(&raw)).unwrap();
        assert_eq!(changes.columns.len(), WRITABLE.len() - 1);
        assert_eq!(
            value(&changes, "site_name"),
            Some(&Value::Text("Board".into()))
        );
        assert_eq!(value(&changes, "rating"), Some(&Value::Int(DEFAULT_RATING)));
        assert_eq!(value(&changes, "github_field"), Some(&Value::Int(1)));
        assert_eq!(
            value(&changes, "last_visited_at"),
            Some(&Value::MaybeInt(None))
        );
        assert_eq!(changes.password.unwrap().expose_secret(), " p@ss ");
    }

    #[test]
    fn create_reports_every_violation_at_once() {
        let raw = pb::JobSite {
            site_name: " ".into(),
            site_url: "ftp://example.com".into(),
            site_password: "p".repeat(MAX_PASSWORD + 1),
            rating: 6,
            resume_format: "f".repeat(MAX_RESUME_FORMAT + 1),
            last_visited_at: Some(Timestamp {
                seconds: -1,
                nanos: 0,
            }),
            resume_updated_at: Some(Timestamp {
                seconds: 0,
                nanos: -1,
            }),
            headline: "bell\u{7}".into(),
            description: "d".repeat(MAX_DESCRIPTION + 1),
            ..Default::default()
        };
        let error = parse_create(Some(&raw)).unwrap_err();
        assert_eq!(
            fields(error),
            [
                "job_site.site_name",
                "job_site.site_url",
                "job_site.site_password",
                "job_site.rating",
                "job_site.resume_format",
                "job_site.last_visited_at",
                "job_site.resume_updated_at",
                "job_site.headline",
                "job_site.description",
            ]
        );
    }

    #[test]
    fn limits_are_inclusive() {
        let raw = pb::JobSite {
            site_name: "n".repeat(MAX_SITE_NAME),
            site_url: format!("https://e.com/{}", "p".repeat(MAX_SITE_URL - 14)),
            site_password: "p".repeat(MAX_PASSWORD),
            rating: 5,
            description: "d\n".repeat(MAX_DESCRIPTION / 2),
            ..Default::default()
        };
        assert!(parse_create(Some(&raw)).is_ok());
        let too_long = pb::JobSite {
            site_name: "n".repeat(MAX_SITE_NAME + 1),
            site_url: format!("https://e.com/{}", "p".repeat(MAX_SITE_URL - 13)),
            ..raw
        };
        let error = parse_create(Some(&too_long)).unwrap_err();
        assert_eq!(fields(error), ["job_site.site_name", "job_site.site_url"]);
    }

    #[test]
    fn a_missing_site_is_reported_as_a_missing_name() {
        assert_eq!(
            fields(parse_create(None).unwrap_err()),
            ["job_site.site_name"]
        );
    }

    #[test]
    fn update_checks_only_masked_fields() {
        let raw = pb::JobSite {
            id: uuid::Uuid::now_v7().to_string(),
            rating: 4,
            site_password: "new".into(),
            ..Default::default()
        };
        let update = parse_update(Some(raw), mask(&["rating", "site_password", "rating"])).unwrap();
        assert_eq!(update.changes.columns, [("rating", Value::Int(4))]);
        assert_eq!(update.changes.password.unwrap().expose_secret(), "new");
    }

    #[test]
    fn update_refuses_rating_zero_output_only_and_unknown_paths() {
        let raw = pb::JobSite {
            id: uuid::Uuid::now_v7().to_string(),
            ..Default::default()
        };
        let paths = [
            "rating",
            "id",
            "create_time",
            "update_time",
            "nope",
            "site_name",
        ];
        let error = parse_update(Some(raw), mask(&paths)).unwrap_err();
        assert_eq!(
            fields(error),
            [
                "job_site.rating",
                "job_site.id",
                "job_site.create_time",
                "job_site.update_time",
                "job_site.nope",
                "job_site.site_name",
            ]
        );
    }

    #[test]
    fn update_needs_a_valid_id_and_a_mask() {
        let raw = pb::JobSite {
            id: "42".into(),
            ..Default::default()
        };
        let error = parse_update(Some(raw), None).unwrap_err();
        assert_eq!(fields(error), ["job_site.id", "update_mask"]);
    }
}
