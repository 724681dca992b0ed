//! Validation of recruiter opportunities: a create request and a masked
//! update both become validated column values (`(column, Value)` pairs from
//! this module's allowlist). Create and update share the per-field checks,
//! so they never disagree on what is valid.

use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1 as pb;

use super::{
    Comment, Value, Violations, comments, enum_value, follow_up, id, long_text, mask_paths,
    required_text,
    tag::{self, TagName},
    text, timestamp,
};
use crate::{
    error::{Error, Result},
    paging::Page,
};

/// Longest job title.
pub const MAX_JOB_TITLE: usize = 255;
/// Longest recruiter name or company.
pub const MAX_RECRUITER: usize = 128;
/// Longest job duration or city.
pub const MAX_SHORT: usize = 100;
/// Longest job description.
pub const MAX_DESCRIPTION: usize = 50_000;

/// The writable fields of `Opportunity`, in message order. A create checks
/// all of them; an update mask may name any of them.
const WRITABLE: [&str; 14] = [
    "job_title",
    "opportunity_status",
    "recruiter_name",
    "recruiter_company",
    "email_received_at",
    "employment_type",
    "job_duration",
    "location_type",
    "location_city",
    "comments",
    "job_description",
    "recruiter_contact_id",
    "source",
    "tags",
];

/// Validated column values, in the order their fields were checked.
pub type Columns = Vec<(&'static str, Value)>;

/// A validated update of one opportunity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpportunityUpdate {
    /// The opportunity's id.
    pub id: String,
    /// The masked fields' new values (empty if only the tags change).
    pub columns: Columns,
    /// The new tags, if masked.
    pub tags: Option<Vec<TagName>>,
}

/// The filters of a list request, combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpportunityFilter {
    /// Only opportunities actively engaged or awaiting feedback.
    pub active_only: bool,
    /// Only opportunities carrying the tag of this key (see [`TagName`]).
    pub tag: Option<String>,
    /// Only opportunities of this source (protobuf number).
    pub source: Option<i64>,
}

/// Checks the paging and filters of a list request, reporting every
/// violation at once.
pub fn parse_list(raw: &pb::ListOpportunitiesRequest) -> Result<(Page, OpportunityFilter)> {
    let mut violations = Violations::default();
    let page = Page::parse(raw.page_size, &raw.page_token);
    violations.include(&page);
    let tag = violations.check("tag", tag::filter(&raw.tag));
    let source = violations.check("source", tag::source_filter(raw.source));
    violations.finish()?;
    let filter = OpportunityFilter {
        active_only: raw.active_only,
        tag: tag.flatten(),
        source: source.flatten(),
    };
    Ok((page?, filter))
}

/// A validated opportunity to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOpportunity {
    /// Every writable column.
    pub columns: Columns,
    /// Its tags.
    pub tags: Vec<TagName>,
}

/// Checks every writable field of an opportunity to create; output-only
/// fields are ignored. An unspecified status means NEW; comments without a
/// time get `now`.
pub fn parse_create(raw: Option<&pb::Opportunity>, now: i64) -> Result<NewOpportunity> {
    let raw = raw.cloned().unwrap_or_default();
    let mut violations = Violations::default();
    let tags = tag::names(&mut violations, "opportunity.tags", &raw.tags);
    let columns = WRITABLE
        .iter()
        .filter(|path| **path != "tags")
        .filter_map(|path| column(&mut violations, &raw, path, now, true))
        .collect();
    violations.finish()?;
    Ok(NewOpportunity {
        columns,
        tags: tags.unwrap_or_default(),
    })
}

/// Checks the id and every masked field of an update; unmasked fields are
/// ignored. Unknown and output-only paths are violations on
/// `opportunity.<path>`.
pub fn parse_update(
    raw: Option<pb::Opportunity>,
    mask: Option<FieldMask>,
    now: i64,
) -> Result<OpportunityUpdate> {
    let raw = raw.unwrap_or_default();
    let mut violations = Violations::default();
    let id = violations.check("opportunity.id", id(&raw.id));
    let paths = match mask_paths(mask) {
        Ok(paths) => paths,
        Err(Error::InvalidArgument(found)) => {
            // Reported together with the other violations.
            found.into_iter().for_each(|(f, r)| violations.push(&f, r));
            Vec::new()
        }
        Err(other) => return Err(other),
    };
    let mut tags = None;
    let mut columns = Columns::new();
    for path in &paths {
        if path == "follow_up_at" {
            // A user-set date: two columns, so not one of `column`'s.
            let at = timestamp(raw.follow_up_at.as_ref());
            let at = violations.check("opportunity.follow_up_at", at);
            columns.extend(at.map(follow_up::manual_columns).into_iter().flatten());
        } else if path == "tags" {
            tags = tag::names(&mut violations, "opportunity.tags", &raw.tags);
        } else {
            columns.extend(column(&mut violations, &raw, path, now, false));
        }
    }
    violations.finish()?;
    Ok(OpportunityUpdate {
        id: id.unwrap_or_default(),
        columns,
        tags,
    })
}

/// The contact an opportunity's validated columns point at, if any: the
/// service checks it is the caller's.
pub fn recruiter_contact(columns: &Columns) -> Option<&str> {
    columns
        .iter()
        .find_map(|(column, value)| match (*column, value) {
            ("recruiter_contact_id", Value::MaybeText(Some(id))) => Some(id.as_str()),
            _ => None,
        })
}

/// The column the field at `path` sets and its checked value, or `None`
/// with the violation recorded. This match is the allowlist of writable
/// columns: column names never come from a request. Only a create may leave
/// the status unspecified.
fn column(
    violations: &mut Violations,
    raw: &pb::Opportunity,
    path: &str,
    now: i64,
    creating: bool,
) -> Option<(&'static str, Value)> {
    let field = format!("opportunity.{path}");
    let number = |n: i32| Value::Int(i64::from(n));
    let checked = match path {
        "job_title" => required_text(&raw.job_title, MAX_JOB_TITLE).map(Value::from),
        "opportunity_status" => {
            let default = creating.then_some(pb::OpportunityStatus::New);
            enum_value(raw.opportunity_status, default).map(|s| number(s as i32))
        }
        "recruiter_name" => text(&raw.recruiter_name, MAX_RECRUITER).map(Value::from),
        "recruiter_company" => text(&raw.recruiter_company, MAX_RECRUITER).map(Value::from),
        "email_received_at" => timestamp(raw.email_received_at.as_ref()).map(Value::from),
        "employment_type" => enum_value(raw.employment_type, Some(pb::EmploymentType::Unspecified))
            .map(|t| number(t as i32)),
        "job_duration" => text(&raw.job_duration, MAX_SHORT).map(Value::from),
        "location_type" => enum_value(raw.location_type, Some(pb::LocationType::Unspecified))
            .map(|t| number(t as i32)),
        "location_city" => text(&raw.location_city, MAX_SHORT).map(Value::from),
        "comments" => {
            let valid = comments(violations, &field, &raw.comments, now)?;
            comments_to_json(&valid).map(Value::from)
        }
        "job_description" => long_text(&raw.job_description, MAX_DESCRIPTION).map(Value::from),
        "recruiter_contact_id" => match raw.recruiter_contact_id.as_str() {
            "" => Ok(Value::MaybeText(None)),
            raw => id(raw).map(|id| Value::MaybeText(Some(id))),
        },
        "source" => tag::source(raw.source).map(Value::from),
        "id" | "create_time" | "update_time" => Err("is output only".to_owned()),
        _ => Err("is not a field of Opportunity".to_owned()),
    };
    let value = violations.check(&field, checked)?;
    // `path` is one of the allowlisted names matched above; return the
    // `'static` spelling, never the request's string.
    let column = WRITABLE.iter().find(|name| **name == path)?;
    Some((column, value))
}

/// Comments as the JSON text stored in a `comments` column.
fn comments_to_json(comments: &[Comment]) -> Result<String, String> {
    // Serializing strings and integers cannot fail; should it ever, the
    // request is refused rather than the comments silently dropped.
    serde_json::to_string(comments).map_err(|_| "cannot be stored".to_owned())
}

/// Comments from their stored JSON text; anything else is corruption.
pub fn comments_from_json(json: &str) -> Result<Vec<Comment>> {
    serde_json::from_str(json)
        .map_err(|error| Error::Internal(anyhow::Error::new(error).context("stored comments")))
}

#[cfg(test)]
mod tests {
    use prost_types::Timestamp;

    use super::*;

    const NOW: i64 = 1_700_000_000;

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

    fn value<'a>(columns: &'a Columns, column: &str) -> Option<&'a Value> {
        columns.iter().find(|(c, _)| *c == column).map(|(_, v)| v)
    }

    #[test]
    fn create_defaults_status_to_new_and_comment_times_to_now() {
        let raw = pb::Opportunity {
            job_title: "  Rust engineer ".into(),
            comments: vec![pb::Comment {
                text: "first call\nwent well".into(),
                create_time: None,
            }],
            ..Default::default()
        };
        let columns = parse_create(Some(&raw), NOW).unwrap().columns;
        // Every writable field but the tags is a column.
        assert_eq!(columns.len(), WRITABLE.len() - 1);
        assert_eq!(value(&columns, "job_title"), Some(&"Rust engineer".into()));
        assert_eq!(value(&columns, "opportunity_status"), Some(&Value::Int(1)));
        assert_eq!(value(&columns, "employment_type"), Some(&Value::Int(0)));
        assert_eq!(
            value(&columns, "email_received_at"),
            Some(&Value::MaybeInt(None))
        );
        let json = r#"[{"text":"first call\nwent well","create_time":1700000000}]"#;
        assert_eq!(value(&columns, "comments"), Some(&json.into()));
        assert_eq!(comments_from_json(json).unwrap()[0].create_time, NOW);
    }

    #[test]
    fn create_reports_every_violation_at_once() {
        let raw = pb::Opportunity {
            job_title: " ".into(),
            opportunity_status: 99,
            recruiter_name: "r".repeat(MAX_RECRUITER + 1),
            email_received_at: Some(Timestamp {
                seconds: -5,
                nanos: 0,
            }),
            location_type: -1,
            location_city: "c".repeat(MAX_SHORT + 1),
            comments: vec![
                pb::Comment {
                    text: "ok".into(),
                    create_time: None,
                },
                pb::Comment {
                    text: "\n".into(),
                    create_time: None,
                },
            ],
            job_description: "d".repeat(MAX_DESCRIPTION + 1),
            ..Default::default()
        };
        let error = parse_create(Some(&raw), NOW).unwrap_err();
        assert_eq!(
            fields(error),
            [
                "opportunity.job_title",
                "opportunity.opportunity_status",
                "opportunity.recruiter_name",
                "opportunity.email_received_at",
                "opportunity.location_type",
                "opportunity.location_city",
                "opportunity.comments[1].text",
                "opportunity.job_description",
            ]
        );
    }

    #[test]
    fn limits_are_inclusive() {
        let raw = pb::Opportunity {
            job_title: "t".repeat(MAX_JOB_TITLE),
            recruiter_company: "c".repeat(MAX_RECRUITER),
            job_duration: "d".repeat(MAX_SHORT),
            job_description: "d\n".repeat(MAX_DESCRIPTION / 2),
            ..Default::default()
        };
        assert!(parse_create(Some(&raw), NOW).is_ok());
        let too_long = pb::Opportunity {
            job_title: "t".repeat(MAX_JOB_TITLE + 1),
            ..raw
        };
        let error = parse_create(Some(&too_long), NOW).unwrap_err();
        assert_eq!(fields(error), ["opportunity.job_title"]);
    }

    #[test]
    fn update_checks_only_masked_fields() {
        let raw = pb::Opportunity {
            id: uuid::Uuid::now_v7().to_string(),
            location_city: "Berlin".into(),
            ..Default::default()
        };
        let update = parse_update(Some(raw), mask(&["location_city", "location_city"]), NOW);
        assert_eq!(
            update.unwrap().columns,
            [("location_city", "Berlin".into())]
        );
    }

    #[test]
    fn update_refuses_unspecified_status_output_only_and_unknown_paths() {
        let raw = pb::Opportunity {
            id: uuid::Uuid::now_v7().to_string(),
            ..Default::default()
        };
        let paths = [
            "opportunity_status",
            "id",
            "create_time",
            "update_time",
            "nope",
        ];
        let error = parse_update(Some(raw), mask(&paths), NOW).unwrap_err();
        assert_eq!(
            fields(error),
            [
                "opportunity.opportunity_status",
                "opportunity.id",
                "opportunity.create_time",
                "opportunity.update_time",
                "opportunity.nope",
            ]
        );
    }

    #[test]
    fn update_needs_a_valid_id_and_a_mask() {
        let error = parse_update(None, None, NOW).unwrap_err();
        assert_eq!(fields(error), ["opportunity.id", "update_mask"]);
    }

    #[test]
    fn stored_comments_must_be_json() {
        assert!(comments_from_json("[]").unwrap().is_empty());
        assert!(matches!(
            comments_from_json("not json"),
            Err(Error::Internal(_))
        ));
    }
}
