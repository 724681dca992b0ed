//! Validation of job postings: a create request and a masked update both
//! become [`PostingChanges`] (validated column values, plus the site and the
//! password, which the service handles itself: the site must be checked in
//! the writing transaction, and the password is sealed to the record's id).
//! A list request becomes a [`Page`] and a [`PostingFilter`].

use prost_types::FieldMask;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use shared::proto::jobsearch::jobs::v1::{self as pb, EmploymentType, LocationType, PostingStatus};

use super::{
    Value, Violations, bounded, comments, enum_value, follow_up, http_url, id, long_text,
    mask_paths, required_long_text, required_text, secret,
    tag::{self, TagName},
    text, timestamp,
};
use crate::{
    error::{Error, Result},
    paging::Page,
};

/// Longest company name.
pub const MAX_COMPANY: usize = 128;
/// Longest posting title.
pub const MAX_TITLE: usize = 255;
/// Longest posting URL.
pub const MAX_URL: usize = 1000;
/// Longest stored password.
pub const MAX_PASSWORD: usize = 255;
/// Longest pay range, city or rejection stage.
pub const MAX_SHORT: usize = 100;
/// Longest scan or outreach notes.
pub const MAX_NOTES: usize = 10_000;
/// Largest recorded time spent, in minutes.
pub const MAX_TIME_SPENT: i32 = 100_000;
/// Longest free-text technology list.
pub const MAX_TECHNOLOGY_STRING: usize = 1000;
/// Most technology stack entries.
pub const MAX_TECHNOLOGIES: usize = 50;
/// Longest technology stack entry.
pub const MAX_TECHNOLOGY: usize = 64;
/// Most application questions.
pub const MAX_QUESTIONS: usize = 100;
/// Longest question.
pub const MAX_QUESTION: usize = 1000;
/// Longest answer.
pub const MAX_ANSWER: usize = 5000;
/// Longest job description.
pub const MAX_DESCRIPTION: usize = 50_000;

/// Statuses that count as active.
pub const ACTIVE_STATUSES: [PostingStatus; 2] = [
    PostingStatus::ActivelyEngaged,
    PostingStatus::AwaitingFeedback,
];

/// The writable fields of `JobPosting`, in message order. A create checks
/// all of them; an update mask may name any of them.
const WRITABLE: [&str; 24] = [
    "job_site_id",
    "company_name",
    "posting_title",
    "posting_status",
    "posting_url_full",
    "posting_password",
    "pay_range",
    "location_type",
    "location_city",
    "employment_type",
    "applied_at",
    "interviewed_at",
    "rejected_at",
    "rejected_after_stage",
    "job_scan_info",
    "outreach_info",
    "time_spent",
    "technology_string",
    "technology_stack",
    "comments",
    "posting_application_questions",
    "job_description",
    "source",
    "tags",
];

/// An application question as stored in the JSON column:
/// `[{"question": "...", "answer": "..."}]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// The question, 1-1000 characters.
    pub question: String,
    /// The answer given, at most 5000 characters.
    pub answer: String,
}

/// Validated new values for a job posting's columns.
#[derive(Debug, Default)]
pub struct PostingChanges {
    /// Column names (from this module's allowlist) and their values.
    pub columns: Vec<(&'static str, Value)>,
    /// The new site, if it changes; the service checks it is the caller's.
    pub job_site_id: Option<String>,
    /// The new password, if it changes; `SecretString` keeps it out of logs.
    pub password: Option<SecretString>,
    /// The new tags, if they change (always set on create).
    pub tags: Option<Vec<TagName>>,
}

/// A validated posting to create.
#[derive(Debug)]
pub struct NewPosting {
    /// The site it goes on; the service checks it is the caller's.
    pub job_site_id: String,
    /// Every other writable field (`changes.job_site_id` is `None`).
    pub changes: PostingChanges,
}

/// A validated update of one job posting.
#[derive(Debug)]
pub struct PostingUpdate {
    /// The posting's id.
    pub id: String,
    /// The masked fields' new values; never empty.
    pub changes: PostingChanges,
}

/// The filters of a list request, combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostingFilter {
    /// Only postings on this site.
    pub job_site_id: Option<String>,
    /// Only postings in one of these statuses (protobuf numbers), if any.
    pub statuses: Vec<i64>,
    /// Only postings in an [`ACTIVE_STATUSES`] status.
    pub active_only: bool,
    /// Only postings applied at or after this time.
    pub applied_after: Option<i64>,
    /// Only postings applied before this time.
    pub applied_before: Option<i64>,
    /// Only postings carrying the tag of this key (see [`TagName`]).
    pub tag: Option<String>,
    /// Only postings of this source (protobuf number).
    pub source: Option<i64>,
}

/// Checks every writable field of a posting to create; output-only fields
/// are ignored. An unspecified status means OPEN; comments without a time
/// get `now`.
pub fn parse_create(raw: Option<&pb::JobPosting>, now: i64) -> Result<NewPosting> {
    let empty = pb::JobPosting::default();
    let raw = raw.unwrap_or(&empty);
    let mut violations = Violations::default();
    let mut changes = PostingChanges::default();
    for path in WRITABLE {
        check(&mut violations, &mut changes, raw, path, now, true);
    }
    violations.finish()?;
    // Always set once `finish` passed (the field is required); no panic path.
    let job_site_id = changes
        .job_site_id
        .take()
        .ok_or_else(|| Error::invalid("job_posting.job_site_id", "is required"))?;
    Ok(NewPosting {
        job_site_id,
        changes,
    })
}

/// Checks the id and every masked field of an update; unmasked fields are
/// ignored. Unknown and output-only paths are violations on
/// `job_posting.<path>`.
pub fn parse_update(
    raw: Option<pb::JobPosting>,
    mask: Option<FieldMask>,
    now: i64,
) -> Result<PostingUpdate> {
    let raw = raw.unwrap_or_default();
    let mut violations = Violations::default();
    let id = violations.check("job_posting.id", id(&raw.id));
    let paths = mask_paths(mask);
    violations.include(&paths);
    let mut changes = PostingChanges::default();
    for path in paths.as_deref().unwrap_or_default() {
        check(&mut violations, &mut changes, &raw, path, now, false);
    }
    violations.finish()?;
    paths?;
    Ok(PostingUpdate {
        id: id.unwrap_or_default(),
        changes,
    })
}

/// Checks the paging and filters of a list request, reporting every
/// violation at once.
pub fn parse_list(raw: &pb::ListJobPostingsRequest) -> Result<(Page, PostingFilter)> {
    let mut violations = Violations::default();
    let page = Page::parse(raw.page_size, &raw.page_token);
    violations.include(&page);
    let job_site_id = match raw.job_site_id.as_str() {
        "" => None,
        site => violations.check("job_site_id", id(site)),
    };
    let mut statuses = Vec::with_capacity(raw.statuses.len());
    for (i, status) in raw.statuses.iter().enumerate() {
        let known = enum_value::<PostingStatus>(*status, None).map(number);
        statuses.extend(violations.check(&format!("statuses[{i}]"), known));
    }
    let after = violations.check("applied_after", timestamp(raw.applied_after.as_ref()));
    let before = violations.check("applied_before", timestamp(raw.applied_before.as_ref()));
    let tag = violations.check("tag", tag::filter(&raw.tag));
    let source = violations.check("source", tag::source_filter(raw.source));
    violations.finish()?;
    let filter = PostingFilter {
        job_site_id,
        statuses,
        active_only: raw.active_only,
        applied_after: after.flatten(),
        applied_before: before.flatten(),
        tag: tag.flatten(),
        source: source.flatten(),
    };
    Ok((page?, filter))
}

/// Checks the field at `path`, adding its columns to `changes` or its
/// violations to `violations`. Fields that take more than one check or
/// column are handled here, single-column ones by [`column`].
fn check(
    violations: &mut Violations,
    changes: &mut PostingChanges,
    raw: &pb::JobPosting,
    path: &str,
    now: i64,
    creating: bool,
) {
    let field = format!("job_posting.{path}");
    match path {
        "job_site_id" => changes.job_site_id = violations.check(&field, site_id(&raw.job_site_id)),
        "posting_password" => {
            let password = violations.check(&field, secret(&raw.posting_password, MAX_PASSWORD));
            changes.password = password.map(SecretString::from);
        }
        "posting_url_full" => {
            let checked = http_url(&raw.posting_url_full, MAX_URL);
            // The domain is derived, so it always changes with the URL.
            if let Some((url, host)) = violations.check(&field, checked) {
                changes.columns.push(("posting_url_full", url.into()));
                changes.columns.push(("posting_url_domain", host.into()));
            }
        }
        "tags" => changes.tags = tag::names(violations, &field, &raw.tags),
        "technology_stack" => {
            let list = technologies(violations, &field, &raw.technology_stack);
            push_json(violations, changes, &field, "technology_stack", list);
        }
        "comments" => {
            let list = comments(violations, &field, &raw.comments, now);
            push_json(violations, changes, &field, "comments", list);
        }
        "follow_up_at" => {
            let at = violations.check(&field, timestamp(raw.follow_up_at.as_ref()));
            changes
                .columns
                .extend(at.map(follow_up::manual_columns).into_iter().flatten());
        }
        "posting_application_questions" => {
            let list = questions(violations, &field, &raw.posting_application_questions);
            push_json(
                violations,
                changes,
                &field,
                "posting_application_questions",
                list,
            );
        }
        _ => {
            if let Some(pair) = violations.check(&field, column(raw, path, creating)) {
                changes.columns.push(pair);
            }
        }
    }
}

/// The column a single-column path sets and its checked value. With the
/// arms of [`check`], this match is the allowlist of writable columns:
/// column names never come from a request.
fn column(
    raw: &pb::JobPosting,
    path: &str,
    creating: bool,
) -> Result<(&'static str, Value), String> {
    let time = |ts: &Option<prost_types::Timestamp>| timestamp(ts.as_ref()).map(Value::from);
    Ok(match path {
        "company_name" => (
            "company_name",
            required_text(&raw.company_name, MAX_COMPANY)?.into(),
        ),
        "posting_title" => (
            "posting_title",
            required_text(&raw.posting_title, MAX_TITLE)?.into(),
        ),
        "posting_status" => {
            // UNSPECIFIED means OPEN on create only; an update must say.
            let default = creating.then_some(PostingStatus::Open);
            (
                "posting_status",
                number(enum_value(raw.posting_status, default)?).into(),
            )
        }
        "pay_range" => ("pay_range", text(&raw.pay_range, MAX_SHORT)?.into()),
        "location_type" => {
            let kind = enum_value(raw.location_type, Some(LocationType::Unspecified))?;
            ("location_type", Value::Int(i64::from(kind as i32)))
        }
        "location_city" => ("location_city", text(&raw.location_city, MAX_SHORT)?.into()),
        "employment_type" => {
            let kind = enum_value(raw.employment_type, Some(EmploymentType::Unspecified))?;
            ("employment_type", Value::Int(i64::from(kind as i32)))
        }
        "applied_at" => ("applied_at", time(&raw.applied_at)?),
        "interviewed_at" => ("interviewed_at", time(&raw.interviewed_at)?),
        "rejected_at" => ("rejected_at", time(&raw.rejected_at)?),
        "rejected_after_stage" => (
            "rejected_after_stage",
            text(&raw.rejected_after_stage, MAX_SHORT)?.into(),
        ),
        "job_scan_info" => (
            "job_scan_info",
            long_text(&raw.job_scan_info, MAX_NOTES)?.into(),
        ),
        "outreach_info" => (
            "outreach_info",
            long_text(&raw.outreach_info, MAX_NOTES)?.into(),
        ),
        "time_spent" => ("time_spent", time_spent(raw.time_spent)?.into()),
        "technology_string" => (
            "technology_string",
            text(&raw.technology_string, MAX_TECHNOLOGY_STRING)?.into(),
        ),
        "job_description" => (
            "job_description",
            long_text(&raw.job_description, MAX_DESCRIPTION)?.into(),
        ),
        "source" => ("source", tag::source(raw.source)?.into()),
        "id" | "posting_url_domain" | "create_time" | "update_time" => {
            return Err("is output only".into());
        }
        _ => return Err("is not a field of JobPosting".into()),
    })
}

/// A status as its protobuf number, the stored form.
fn number(status: PostingStatus) -> i64 {
    i64::from(status as i32)
}

/// The site a posting is on: required, an id.
fn site_id(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err("is required".into());
    }
    id(raw)
}

/// Minutes spent, if recorded: 0-[`MAX_TIME_SPENT`].
fn time_spent(raw: Option<i32>) -> Result<Option<i64>, String> {
    match raw {
        Some(minutes) if !(0..=MAX_TIME_SPENT).contains(&minutes) => {
            Err(format!("must be between 0 and {MAX_TIME_SPENT}"))
        }
        other => Ok(other.map(i64::from)),
    }
}

/// Checks the technology list, naming violations like `<field>[3]`.
fn technologies(violations: &mut Violations, field: &str, raw: &[String]) -> Option<Vec<String>> {
    violations.check(field, bounded(raw.iter().collect(), MAX_TECHNOLOGIES))?;
    let valid: Vec<String> = raw
        .iter()
        .enumerate()
        .filter_map(|(i, entry)| {
            violations.check(
                &format!("{field}[{i}]"),
                required_text(entry, MAX_TECHNOLOGY),
            )
        })
        .collect();
    (valid.len() == raw.len()).then_some(valid)
}

/// Checks the questions, naming violations like `<field>[3].answer`.
fn questions(
    violations: &mut Violations,
    field: &str,
    raw: &[pb::ApplicationQuestion],
) -> Option<Vec<Question>> {
    violations.check(field, bounded(raw.iter().collect(), MAX_QUESTIONS))?;
    let mut valid = Vec::with_capacity(raw.len());
    for (i, entry) in raw.iter().enumerate() {
        let question = violations.check(
            &format!("{field}[{i}].question"),
            required_long_text(&entry.question, MAX_QUESTION),
        );
        let answer = violations.check(
            &format!("{field}[{i}].answer"),
            long_text(&entry.answer, MAX_ANSWER),
        );
        if let (Some(question), Some(answer)) = (question, answer) {
            valid.push(Question { question, answer });
        }
    }
    (valid.len() == raw.len()).then_some(valid)
}

/// Stores a checked list (`None`: its violations are already recorded) as
/// the JSON text of `column`.
fn push_json<T: Serialize>(
    violations: &mut Violations,
    changes: &mut PostingChanges,
    field: &str,
    column: &'static str,
    list: Option<Vec<T>>,
) {
    let Some(list) = list else { return };
    // Plain strings and numbers always encode; kept fallible, not unwrapped.
    let encoded = serde_json::to_string(&list).map_err(|e| format!("cannot be stored: {e}"));
    if let Some(json) = violations.check(field, encoded) {
        changes.columns.push((column, Value::Text(json)));
    }
}

// The rules' tests are long enough for a file of their own.
#[cfg(test)]
mod tests;
