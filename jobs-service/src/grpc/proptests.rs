//! Round trips of whole resources, as the service does them: a valid
//! message is validated into column values (`domain`), stored (here: the
//! values become a row the way the database hands them back) and converted
//! back into a message (`grpc`). What comes back must be what was sent, for
//! every valid job site, posting and opportunity.

use std::collections::HashMap;

use proptest::prelude::*;
use prost_types::Timestamp;
use shared::{db::Flag, proto::jobsearch::jobs::v1 as pb};

use crate::{
    db::{
        job_postings::{JobPostingRow, JsonList},
        job_sites::JobSiteRow,
        opportunities::OpportunityRow,
    },
    domain::{Value, job_posting, job_site, opportunity},
};

const ID: &str = "01936f5e-0000-7000-8000-000000000042";
const SITE_ID: &str = "01936f5e-0000-7000-8000-000000000010";
const CREATED: i64 = 1_700_000_000;
const UPDATED: i64 = 1_700_000_100;

/// Single-line text as stored: no control characters, nothing to trim.
fn line(max: usize) -> impl Strategy<Value = String> {
    let visible = "[^\\p{Cc}\\s]";
    prop_oneof![
        Just(String::new()),
        (prop::collection::vec(visible, 1..=2), "[^\\p{Cc}]{0,12}").prop_map(move |(ends, mid)| {
            let text = match ends.as_slice() {
                [one] => one.clone(),
                [first, last, ..] => format!("{first}{mid}{last}"),
                [] => String::new(),
            };
            text.chars().take(max).collect::<String>().trim().to_owned()
        }),
    ]
}

/// Required single-line text.
fn required_line(max: usize) -> impl Strategy<Value = String> {
    line(max).prop_filter("required", |s| !s.is_empty())
}

/// Multi-line text: anything but control characters other than \n \r \t.
fn notes() -> impl Strategy<Value = String> {
    "([^\\p{Cc}]|[\n\r\t]){0,40}"
}

/// Secrets are kept exactly: any characters at all.
fn secret() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..40).prop_map(|c| c.into_iter().collect())
}

/// A stored time: whole seconds between 1970 and 2200.
fn time() -> impl Strategy<Value = Option<Timestamp>> {
    prop::option::of((0i64..7_258_118_400).prop_map(|seconds| Timestamp { seconds, nanos: 0 }))
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "https?://[a-z]{1,10}\\.[a-z]{2,4}(/[a-z0-9]{0,6}){0,3}",
    ]
}

fn comments() -> impl Strategy<Value = Vec<pb::Comment>> {
    let comment =
        ("[^\\p{Cc}\\s][^\\p{Cc}]{0,20}", 0i64..7_258_118_400).prop_map(|(text, t)| pb::Comment {
            text,
            create_time: Some(Timestamp {
                seconds: t,
                nanos: 0,
            }),
        });
    prop::collection::vec(comment, 0..4)
}

/// The stored columns by name.
fn stored(columns: Vec<(&'static str, Value)>) -> HashMap<&'static str, Value> {
    columns.into_iter().collect()
}

fn text(columns: &HashMap<&str, Value>, name: &str) -> String {
    match &columns[name] {
        Value::Text(text) => text.clone(),
        other => panic!("{name} is {other:?}, not text"),
    }
}

fn int(columns: &HashMap<&str, Value>, name: &str) -> i64 {
    match &columns[name] {
        Value::Int(n) => *n,
        other => panic!("{name} is {other:?}, not an integer"),
    }
}

fn maybe(columns: &HashMap<&str, Value>, name: &str) -> Option<i64> {
    match &columns[name] {
        Value::MaybeInt(n) => *n,
        other => panic!("{name} is {other:?}, not a nullable integer"),
    }
}

/// A JSON list column as the database row decodes it.
fn json<T: serde::de::DeserializeOwned>(columns: &HashMap<&str, Value>, name: &str) -> JsonList<T> {
    JsonList::try_from(text(columns, name)).unwrap()
}

/// Tag names as the service returns them: unique ignoring case, sorted.
fn tag_names() -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set("[a-z][a-z0-9 ]{0,8}[a-z]", 0..4)
        .prop_map(|set| set.into_iter().collect())
}

/// The names of checked tags.
fn names(tags: Option<Vec<crate::domain::tag::TagName>>) -> Vec<String> {
    tags.unwrap_or_default()
        .into_iter()
        .map(|t| t.name)
        .collect()
}

fn stamps() -> (Option<Timestamp>, Option<Timestamp>) {
    let at = |seconds| Some(Timestamp { seconds, nanos: 0 });
    (at(CREATED), at(UPDATED))
}

prop_compose! {
    fn job_sites()(
        site_name in required_line(64), site_url in url(), site_password in secret(),
        rating in 1i32..=5, resume_format in line(50), github_field in any::<bool>(),
        project_site_field in any::<bool>(), last_visited_at in time(),
        resume_updated_at in time(), headline in line(255), description in notes(),
    ) -> pb::JobSite {
        let (create_time, update_time) = stamps();
        pb::JobSite {
            id: ID.into(), site_name, site_url, site_password, rating, resume_format,
            github_field, project_site_field, last_visited_at, resume_updated_at, headline,
            description, create_time, update_time,
        }
    }
}

prop_compose! {
    fn job_postings()(
        (company_name, posting_title, pay_range, location_city, rejected_after_stage) in
            (required_line(128), required_line(255), line(100), line(100), line(100)),
        // Every value of each enum but UNSPECIFIED where an update must say.
        (posting_status, location_type, employment_type) in (1i32..=8, 0i32..=3, 0i32..=6),
        (posting_url_full, posting_password) in (url(), secret()),
        (applied_at, interviewed_at, rejected_at) in (time(), time(), time()),
        (job_scan_info, outreach_info, job_description) in (notes(), notes(), notes()),
        time_spent in prop::option::of(0i32..=100_000),
        technology_string in line(1000),
        technology_stack in prop::collection::vec(required_line(64), 0..4),
        comments in comments(),
        questions in prop::collection::vec(("[^\\p{Cc}\\s]{1,10}", notes()), 0..3),
        (source, tags) in (0i32..=6, tag_names()),
    ) -> pb::JobPosting {
        let (create_time, update_time) = stamps();
        let posting_url_domain = url::Url::parse(&posting_url_full)
            .map(|u| u.host_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        pb::JobPosting {
            id: ID.into(), job_site_id: SITE_ID.into(), company_name, posting_title,
            posting_status, posting_url_full, posting_url_domain, posting_password, pay_range,
            location_type, location_city, employment_type, applied_at, interviewed_at,
            rejected_at, rejected_after_stage, job_scan_info, outreach_info, time_spent,
            technology_string, technology_stack, comments,
            posting_application_questions: questions
                .into_iter()
                .map(|(question, answer)| pb::ApplicationQuestion { question, answer })
                .collect(),
            job_description, create_time, update_time,
            // Derived from the stage history, never from the request.
            follow_up_at: None,
            source, tags,
        }
    }
}

prop_compose! {
    fn opportunities()(
        (job_title, recruiter_name, recruiter_company, job_duration, location_city) in
            (required_line(255), line(128), line(128), line(100), line(100)),
        (opportunity_status, employment_type, location_type) in (1i32..=7, 0i32..=6, 0i32..=3),
        email_received_at in time(), comments in comments(), job_description in notes(),
        (source, tags) in (0i32..=6, tag_names()),
    ) -> pb::Opportunity {
        let (create_time, update_time) = stamps();
        pb::Opportunity {
            id: ID.into(), job_title, opportunity_status, recruiter_name, recruiter_company,
            email_received_at, employment_type, job_duration, location_type, location_city,
            comments, job_description, create_time, update_time, follow_up_at: None,
            recruiter_contact_id: String::new(),
            source, tags,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn job_sites_round_trip_through_validation_and_storage(site in job_sites()) {
        let changes = job_site::parse_create(Some(&site)).unwrap();
        let password = secrecy::ExposeSecret::expose_secret(&changes.password.unwrap()).to_owned();
        let c = stored(changes.columns);
        let row = JobSiteRow {
            id: ID.into(), site_name: text(&c, "site_name"), site_url: text(&c, "site_url"),
            site_password_ciphertext: String::new(), rating: int(&c, "rating"),
            resume_format: text(&c, "resume_format"),
            github_field: Flag::from(int(&c, "github_field")),
            project_site_field: Flag::from(int(&c, "project_site_field")),
            last_visited_at: maybe(&c, "last_visited_at"),
            resume_updated_at: maybe(&c, "resume_updated_at"),
            headline: text(&c, "headline"), description: text(&c, "description"),
            create_time: CREATED, update_time: UPDATED,
        };
        prop_assert_eq!(super::sites::message(row, password), site);
    }

    #[test]
    fn job_postings_round_trip_through_validation_and_storage(posting in job_postings()) {
        let new = job_posting::parse_create(Some(&posting), 0).unwrap();
        let password = secrecy::ExposeSecret::expose_secret(&new.changes.password.unwrap()).to_owned();
        let c = stored(new.changes.columns);
        let row = JobPostingRow {
            id: ID.into(), job_site_id: new.job_site_id,
            company_name: text(&c, "company_name"), posting_title: text(&c, "posting_title"),
            posting_status: int(&c, "posting_status"),
            posting_url_full: text(&c, "posting_url_full"),
            posting_url_domain: text(&c, "posting_url_domain"),
            posting_password_ciphertext: String::new(), pay_range: text(&c, "pay_range"),
            location_type: int(&c, "location_type"), location_city: text(&c, "location_city"),
            employment_type: int(&c, "employment_type"), applied_at: maybe(&c, "applied_at"),
            interviewed_at: maybe(&c, "interviewed_at"), rejected_at: maybe(&c, "rejected_at"),
            rejected_after_stage: text(&c, "rejected_after_stage"),
            job_scan_info: text(&c, "job_scan_info"), outreach_info: text(&c, "outreach_info"),
            time_spent: maybe(&c, "time_spent"),
            technology_string: text(&c, "technology_string"),
            technology_stack: json(&c, "technology_stack"), comments: json(&c, "comments"),
            posting_application_questions: json(&c, "posting_application_questions"),
            job_description: text(&c, "job_description"),
            create_time: CREATED, update_time: UPDATED, follow_up_at: None,
            source: int(&c, "source"), tags: names(new.changes.tags),
        };
        prop_assert_eq!(super::postings::message(row, password), posting);
    }

    #[test]
    fn opportunities_round_trip_through_validation_and_storage(opp in opportunities()) {
        let new = opportunity::parse_create(Some(&opp), 0).unwrap();
        let c = stored(new.columns);
        let row = OpportunityRow {
            id: ID.into(), job_title: text(&c, "job_title"),
            opportunity_status: int(&c, "opportunity_status"),
            recruiter_name: text(&c, "recruiter_name"),
            recruiter_company: text(&c, "recruiter_company"),
            email_received_at: maybe(&c, "email_received_at"),
            employment_type: int(&c, "employment_type"), job_duration: text(&c, "job_duration"),
            location_type: int(&c, "location_type"), location_city: text(&c, "location_city"),
            comments: text(&c, "comments"), job_description: text(&c, "job_description"),
            create_time: CREATED, update_time: UPDATED, follow_up_at: None,
            recruiter_contact_id: None,
            source: int(&c, "source"), tags: names(Some(new.tags)),
        };
        prop_assert_eq!(super::opportunities::to_pb(row).unwrap(), opp);
    }
}
