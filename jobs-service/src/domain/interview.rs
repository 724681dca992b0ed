//! Validation of interview requests: create, masked update, a parent's list,
//! the upcoming window and the calendar export. Time zones are checked
//! against the IANA database compiled into the binary (jiff's bundled tzdb),
//! so a zone valid on one host is valid on all, the scratch image included.

use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1::{self as pb, InterviewKind, InterviewOutcome};

use super::{
    Value, Violations, enum_value, http_url, id, long_text, mask_paths, stage::Parent,
    stage_event::decode_position, text, timestamp,
};
use crate::{
    error::{Error, Result},
    paging::Page,
};

/// Most interviews one posting or opportunity may have.
pub const MAX_INTERVIEWS_PER_PARENT: usize = 100;
/// Most interviews one calendar export holds.
pub const MAX_EXPORT: i64 = 1000;
/// Highest round number.
pub const MAX_ROUND: i32 = 50;
/// Longest interview, in minutes (a day).
pub const MAX_DURATION_MINUTES: i32 = 1440;
/// Longest location.
pub const MAX_LOCATION: usize = 255;
/// Longest meeting URL.
pub const MAX_URL: usize = 2048;
/// Longest preparation notes.
pub const MAX_PREP_NOTES: usize = 10_000;

/// The writable fields of `Interview`, in message order: a create checks
/// all of them, an update mask may name any of them. Each is its column.
const WRITABLE: [&str; 9] = [
    "round",
    "kind",
    "scheduled_at",
    "time_zone",
    "duration_minutes",
    "location",
    "meeting_url",
    "prep_notes",
    "outcome",
];

/// Validated column values.
pub type Columns = Vec<(&'static str, Value)>;

/// A validated interview to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInterview {
    /// Whose interview.
    pub parent: Parent,
    /// Every writable column.
    pub columns: Columns,
}

/// A validated masked update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterviewUpdate {
    /// The interview's id.
    pub id: String,
    /// The masked fields' new values; never empty.
    pub columns: Columns,
}

/// A validated time window with a position to continue after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Start (inclusive), Unix seconds.
    pub from: i64,
    /// End (exclusive); `None` for no end.
    pub until: Option<i64>,
    /// `(scheduled_at, id)` of the previous page's last interview.
    pub after: Option<(i64, String)>,
    /// Rows wanted.
    pub size: i64,
}

/// A validated list of one parent's interviews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentPage {
    /// Whose interviews.
    pub parent: Parent,
    /// `(scheduled_at, id)` of the previous page's last interview.
    pub after: Option<(i64, String)>,
    /// Rows wanted.
    pub size: i64,
}

/// An IANA time zone name as the bundled database spells it; empty is UTC.
pub fn time_zone(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Ok("UTC".into());
    }
    let zone = jiff::tz::TimeZone::get(name)
        .map_err(|_| "is not a time zone of the IANA database (e.g. Europe/Paris)".to_owned())?;
    Ok(zone.iana_name().unwrap_or(name).to_owned())
}

/// Checks the parent and every writable field of a create; unset values
/// take their documented defaults.
pub fn parse_create(parent: &str, raw: Option<&pb::Interview>) -> Result<NewInterview> {
    let raw = raw.cloned().unwrap_or_default();
    let mut violations = Violations::default();
    let parent = violations.check("parent", Parent::parse(parent));
    let columns = WRITABLE
        .iter()
        .filter_map(|path| column(&mut violations, &raw, path, true))
        .collect();
    violations.finish()?;
    Ok(NewInterview {
        parent: parent.ok_or_else(|| Error::invalid("parent", "is required"))?,
        columns,
    })
}

/// Checks the id and every masked field of an update. Unknown and
/// output-only paths are violations on `interview.<path>`.
pub fn parse_update(
    raw: Option<pb::Interview>,
    mask: Option<FieldMask>,
) -> Result<InterviewUpdate> {
    let raw = raw.unwrap_or_default();
    let mut violations = Violations::default();
    let id = violations.check("interview.id", id(&raw.id));
    let paths = mask_paths(mask);
    violations.include(&paths);
    let columns = paths
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|path| column(&mut violations, &raw, path, false))
        .collect();
    violations.finish()?;
    Ok(InterviewUpdate {
        id: id.unwrap_or_default(),
        columns,
    })
}

/// The column the field at `path` sets and its checked value, or `None` with
/// the violation recorded. This match is the allowlist of writable columns.
fn column(
    violations: &mut Violations,
    raw: &pb::Interview,
    path: &str,
    creating: bool,
) -> Option<(&'static str, Value)> {
    let field = format!("interview.{path}");
    let checked = match path {
        "round" => bounded_number(raw.round, MAX_ROUND, creating.then_some(1)),
        "kind" => enum_value(raw.kind, creating.then_some(InterviewKind::Other))
            .map(|kind| Value::Int(i64::from(kind as i32))),
        "scheduled_at" => timestamp(raw.scheduled_at.as_ref())
            .and_then(|at| at.ok_or_else(|| "is required".to_owned()))
            .map(Value::from),
        "time_zone" => time_zone(&raw.time_zone).map(Value::from),
        "duration_minutes" => bounded_number(
            raw.duration_minutes,
            MAX_DURATION_MINUTES,
            creating.then_some(60),
        ),
        "location" => text(&raw.location, MAX_LOCATION).map(Value::from),
        "meeting_url" => http_url(&raw.meeting_url, MAX_URL).map(|(url, _)| Value::from(url)),
        "prep_notes" => long_text(&raw.prep_notes, MAX_PREP_NOTES).map(Value::from),
        "outcome" => enum_value(raw.outcome, creating.then_some(InterviewOutcome::Pending))
            .map(|outcome| Value::Int(i64::from(outcome as i32))),
        "id" | "parent" | "interviewer_contact_ids" | "create_time" | "update_time" => {
            Err("is output only".to_owned())
        }
        _ => Err("is not a field of Interview".to_owned()),
    };
    let value = violations.check(&field, checked)?;
    // Return the allowlist's `'static` spelling, never the request's string.
    let column = WRITABLE.iter().find(|name| **name == path)?;
    Some((column, value))
}

/// A number in `1..=max`; 0 is `default` when there is one.
fn bounded_number(raw: i32, max: i32, default: Option<i64>) -> Result<Value, String> {
    match (raw, default) {
        (0, Some(default)) => Ok(Value::Int(default)),
        (1.., _) if raw <= max => Ok(Value::Int(i64::from(raw))),
        _ => Err(format!("must be between 1 and {max}")),
    }
}

/// Checks the parent, page size and token of `ListInterviews`.
pub fn parse_list(raw: &pb::ListInterviewsRequest) -> Result<ParentPage> {
    let mut violations = Violations::default();
    let parent = violations.check("parent", Parent::parse(&raw.parent));
    let size = Page::parse(raw.page_size, "");
    violations.include(&size);
    let after = position(&mut violations, &raw.page_token);
    violations.finish()?;
    Ok(ParentPage {
        parent: parent.ok_or_else(|| Error::invalid("parent", "is required"))?,
        after,
        size: size?.size,
    })
}

/// Checks `ListUpcomingInterviews`: an unset `from` is `now`.
pub fn parse_upcoming(raw: &pb::ListUpcomingInterviewsRequest, now: i64) -> Result<Window> {
    let mut violations = Violations::default();
    let (from, until) = bounds(&mut violations, raw.from.as_ref(), raw.until.as_ref());
    let size = Page::parse(raw.page_size, "");
    violations.include(&size);
    let after = position(&mut violations, &raw.page_token);
    violations.finish()?;
    Ok(Window {
        from: from.flatten().unwrap_or(now),
        until: until.flatten(),
        after,
        size: size?.size,
    })
}

/// Checks `ExportInterviews`: an unset `from` is the start of time. The
/// size is one more than the export holds, to notice a window too full.
pub fn parse_export(raw: &pb::ExportInterviewsRequest) -> Result<Window> {
    let mut violations = Violations::default();
    let (from, until) = bounds(&mut violations, raw.from.as_ref(), raw.until.as_ref());
    violations.finish()?;
    Ok(Window {
        from: from.flatten().unwrap_or(0),
        until: until.flatten(),
        after: None,
        size: MAX_EXPORT + 1,
    })
}

/// `from` and `until`, each checked, and `until` after `from`.
fn bounds(
    violations: &mut Violations,
    from: Option<&prost_types::Timestamp>,
    until: Option<&prost_types::Timestamp>,
) -> (Option<Option<i64>>, Option<Option<i64>>) {
    let from = violations.check("from", timestamp(from));
    let until = violations.check("until", timestamp(until));
    if let (Some(Some(from)), Some(Some(until))) = (from, until)
        && until <= from
    {
        violations.push("until", "must be after from");
    }
    (from, until)
}

/// The `(scheduled_at, id)` position of a page token, if any.
fn position(violations: &mut Violations, token: &str) -> Option<(i64, String)> {
    match token {
        "" => None,
        token => violations.check("page_token", decode_position(token)),
    }
}

#[cfg(test)]
mod tests {
    use prost_types::Timestamp;

    use super::*;

    const ID: &str = "01900000-0000-7000-8000-000000000001";

    fn fields(error: Error) -> Vec<String> {
        match error {
            Error::InvalidArgument(found) => found.into_iter().map(|(f, _)| f).collect(),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    fn value<'a>(columns: &'a Columns, column: &str) -> Option<&'a Value> {
        columns.iter().find(|(c, _)| *c == column).map(|(_, v)| v)
    }

    #[test]
    fn time_zones_come_from_the_bundled_database() {
        assert_eq!(time_zone("Europe/Paris").unwrap(), "Europe/Paris");
        assert_eq!(time_zone("america/new_york").unwrap(), "America/New_York");
        assert_eq!(time_zone("").unwrap(), "UTC");
        assert!(time_zone("Mars/Olympus_Mons").is_err());
        assert!(time_zone("../../etc/passwd").is_err());
    }

    #[test]
    fn a_create_takes_defaults_and_names_every_bad_field() {
        let raw = pb::Interview {
            scheduled_at: Some(Timestamp {
                seconds: 1_800_000_000,
                nanos: 0,
            }),
            ..Default::default()
        };
        let new = parse_create(&format!("jobPostings/{ID}"), Some(&raw)).unwrap();
        assert_eq!(value(&new.columns, "round"), Some(&Value::Int(1)));
        assert_eq!(
            value(&new.columns, "duration_minutes"),
            Some(&Value::Int(60))
        );
        assert_eq!(value(&new.columns, "kind"), Some(&Value::Int(7)));
        assert_eq!(value(&new.columns, "outcome"), Some(&Value::Int(1)));
        assert_eq!(value(&new.columns, "time_zone"), Some(&"UTC".into()));
        let bad = pb::Interview {
            round: 51,
            time_zone: "Nowhere/Land".into(),
            duration_minutes: -5,
            meeting_url: "ftp://example.com".into(),
            ..Default::default()
        };
        let error = parse_create("jobSites/1", Some(&bad)).unwrap_err();
        assert_eq!(
            fields(error),
            [
                "parent",
                "interview.round",
                "interview.scheduled_at",
                "interview.time_zone",
                "interview.duration_minutes",
                "interview.meeting_url"
            ]
        );
    }

    #[test]
    fn an_update_refuses_zero_values_and_output_only_fields() {
        let mask = FieldMask {
            paths: vec!["round".into(), "outcome".into(), "parent".into()],
        };
        let raw = pb::Interview {
            id: ID.into(),
            ..Default::default()
        };
        let error = parse_update(Some(raw), Some(mask)).unwrap_err();
        assert_eq!(
            fields(error),
            ["interview.round", "interview.outcome", "interview.parent"]
        );
    }

    #[test]
    fn a_window_must_end_after_it_starts() {
        let at = |seconds| Some(Timestamp { seconds, nanos: 0 });
        let raw = pb::ListUpcomingInterviewsRequest {
            from: at(100),
            until: at(100),
            ..Default::default()
        };
        assert_eq!(fields(parse_upcoming(&raw, 0).unwrap_err()), ["until"]);
        let open = pb::ListUpcomingInterviewsRequest::default();
        let window = parse_upcoming(&open, 42).unwrap();
        assert_eq!((window.from, window.until), (42, None));
    }
}
