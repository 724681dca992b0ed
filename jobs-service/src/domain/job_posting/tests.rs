//! Unit tests of the job-posting rules: every rule fails when broken,
//! and all violations of a request are reported together.

use prost_types::Timestamp;
use secrecy::ExposeSecret as _;

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

fn ts(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

fn minimal() -> pb::JobPosting {
    pb::JobPosting {
        job_site_id: uuid::Uuid::now_v7().to_string(),
        company_name: "Acme".into(),
        posting_title: "Engineer".into(),
        ..Default::default()
    }
}

fn value<'a>(changes: &'a PostingChanges, column: &str) -> Option<&'a Value> {
    changes
        .columns
        .iter()
        .find(|(name, _)| *name == column)
        .map(|(_, value)| value)
}

#[test]
fn create_fills_defaults_derives_the_domain_and_encodes_lists() {
    let raw = pb::JobPosting {
        posting_url_full: "https://jobs.example.com/p/1".into(),
        posting_password: "s3cret".into(),
        technology_stack: vec![" Rust ".into()],
        comments: vec![pb::Comment {
            text: "applied".into(),
            create_time: None,
        }],
        posting_application_questions: vec![pb::ApplicationQuestion {
            question: "Why?".into(),
            answer: String::new(),
        }],
        time_spent: Some(0),
        ..minimal()
    };
    let new = parse_create(Some(&raw), NOW).unwrap();
    assert_eq!(new.job_site_id, raw.job_site_id);
    let changes = &new.changes;
    assert_eq!(value(changes, "posting_status"), Some(&Value::Int(1)));
    assert_eq!(value(changes, "location_type"), Some(&Value::Int(0)));
    let domain = Value::Text("jobs.example.com".into());
    assert_eq!(value(changes, "posting_url_domain"), Some(&domain));
    assert_eq!(
        value(changes, "time_spent"),
        Some(&Value::MaybeInt(Some(0)))
    );
    let stack = Value::Text(r#"["Rust"]"#.into());
    assert_eq!(value(changes, "technology_stack"), Some(&stack));
    let comments = Value::Text(format!(r#"[{{"text":"applied","create_time":{NOW}}}]"#));
    assert_eq!(value(changes, "comments"), Some(&comments));
    let questions = Value::Text(r#"[{"question":"Why?","answer":""}]"#.into());
    assert_eq!(
        value(changes, "posting_application_questions"),
        Some(&questions)
    );
    assert_eq!(changes.password.as_ref().unwrap().expose_secret(), "s3cret");
    assert!(value(changes, "job_site_id").is_none());
}

#[test]
fn create_reports_every_violation_at_once() {
    let raw = pb::JobPosting {
        job_site_id: String::new(),
        company_name: "c".repeat(MAX_COMPANY + 1),
        posting_title: " ".into(),
        posting_status: 42,
        posting_url_full: "mailto:x@example.com".into(),
        posting_password: "p".repeat(MAX_PASSWORD + 1),
        pay_range: "p".repeat(MAX_SHORT + 1),
        location_type: 9,
        location_city: "c".repeat(MAX_SHORT + 1),
        employment_type: -1,
        applied_at: ts(-1),
        interviewed_at: ts(10_000_000_000),
        rejected_at: Some(Timestamp {
            seconds: 1,
            nanos: 1_000_000_000,
        }),
        rejected_after_stage: "s".repeat(MAX_SHORT + 1),
        job_scan_info: "j".repeat(MAX_NOTES + 1),
        outreach_info: "o\u{0}".into(),
        time_spent: Some(MAX_TIME_SPENT + 1),
        technology_string: "line\nbreak".into(),
        technology_stack: vec!["ok".into(), String::new()],
        comments: vec![pb::Comment {
            text: " ".into(),
            create_time: ts(-5),
        }],
        posting_application_questions: vec![pb::ApplicationQuestion {
            question: String::new(),
            answer: "a".repeat(MAX_ANSWER + 1),
        }],
        job_description: "d".repeat(MAX_DESCRIPTION + 1),
        ..Default::default()
    };
    let error = parse_create(Some(&raw), NOW).unwrap_err();
    assert_eq!(
        fields(error),
        [
            "job_posting.job_site_id",
            "job_posting.company_name",
            "job_posting.posting_title",
            "job_posting.posting_status",
            "job_posting.posting_url_full",
            "job_posting.posting_password",
            "job_posting.pay_range",
            "job_posting.location_type",
            "job_posting.location_city",
            "job_posting.employment_type",
            "job_posting.applied_at",
            "job_posting.interviewed_at",
            "job_posting.rejected_at",
            "job_posting.rejected_after_stage",
            "job_posting.job_scan_info",
            "job_posting.outreach_info",
            "job_posting.time_spent",
            "job_posting.technology_string",
            "job_posting.technology_stack[1]",
            "job_posting.comments[0].text",
            "job_posting.comments[0].create_time",
            "job_posting.posting_application_questions[0].question",
            "job_posting.posting_application_questions[0].answer",
            "job_posting.job_description",
        ]
    );
}

#[test]
fn lists_are_bounded_and_entries_checked() {
    let raw = pb::JobPosting {
        job_site_id: "not-an-id".into(),
        time_spent: Some(-1),
        technology_stack: vec!["t".into(); MAX_TECHNOLOGIES + 1],
        comments: vec![pb::Comment::default(); crate::domain::MAX_COMMENTS + 1],
        posting_application_questions: vec![pb::ApplicationQuestion::default(); MAX_QUESTIONS + 1],
        ..minimal()
    };
    let error = parse_create(Some(&raw), NOW).unwrap_err();
    assert_eq!(
        fields(error),
        [
            "job_posting.job_site_id",
            "job_posting.time_spent",
            "job_posting.technology_stack",
            "job_posting.comments",
            "job_posting.posting_application_questions",
        ]
    );
    let long_entry = pb::JobPosting {
        technology_stack: vec!["t".repeat(MAX_TECHNOLOGY + 1)],
        ..minimal()
    };
    let error = parse_create(Some(&long_entry), NOW).unwrap_err();
    assert_eq!(fields(error), ["job_posting.technology_stack[0]"]);
}

#[test]
fn update_checks_only_masked_fields_and_moves_the_domain_with_the_url() {
    let raw = pb::JobPosting {
        id: uuid::Uuid::now_v7().to_string(),
        posting_url_full: String::new(),
        posting_status: 3,
        company_name: String::new(),
        ..Default::default()
    };
    let update = parse_update(
        Some(raw),
        mask(&["posting_url_full", "posting_status"]),
        NOW,
    )
    .unwrap();
    assert_eq!(
        update.changes.columns,
        [
            ("posting_url_full", Value::Text(String::new())),
            ("posting_url_domain", Value::Text(String::new())),
            ("posting_status", Value::Int(3)),
        ]
    );
    assert!(update.changes.job_site_id.is_none());
    assert!(update.changes.password.is_none());
}

#[test]
fn update_refuses_unspecified_status_output_only_and_unknown_paths() {
    let raw = pb::JobPosting {
        id: uuid::Uuid::now_v7().to_string(),
        ..Default::default()
    };
    let paths = [
        "posting_status",
        "posting_url_domain",
        "id",
        "create_time",
        "update_time",
        "site_name",
        "job_site_id",
    ];
    let error = parse_update(Some(raw), mask(&paths), NOW).unwrap_err();
    let expected: Vec<String> = paths.iter().map(|p| format!("job_posting.{p}")).collect();
    assert_eq!(fields(error), expected);
}

#[test]
fn update_needs_a_valid_id_and_a_mask() {
    let error = parse_update(None, None, NOW).unwrap_err();
    assert_eq!(fields(error), ["job_posting.id", "update_mask"]);
}

#[test]
fn list_filters_are_checked_together_with_paging() {
    let raw = pb::ListJobPostingsRequest {
        page_size: 500,
        page_token: "garbage".into(),
        job_site_id: "x".into(),
        statuses: vec![2, 0, 99],
        applied_after: ts(-1),
        applied_before: ts(NOW),
        ..Default::default()
    };
    let error = parse_list(&raw).unwrap_err();
    assert_eq!(
        fields(error),
        [
            "page_size",
            "job_site_id",
            "statuses[1]",
            "statuses[2]",
            "applied_after",
        ]
    );
    let site = uuid::Uuid::now_v7().to_string();
    let ok = pb::ListJobPostingsRequest {
        job_site_id: site.clone(),
        statuses: vec![2, 8],
        active_only: true,
        applied_before: ts(NOW),
        ..Default::default()
    };
    let (page, filter) = parse_list(&ok).unwrap();
    assert_eq!(page.size, crate::paging::DEFAULT_PAGE_SIZE);
    assert_eq!(
        filter,
        PostingFilter {
            job_site_id: Some(site),
            statuses: vec![2, 8],
            active_only: true,
            applied_after: None,
            applied_before: Some(NOW),
            tag: None,
            source: None,
        }
    );
}
