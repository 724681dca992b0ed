//! Reports and the dashboard, against answers computed by hand on a fixed
//! data set created through the API. All times are UTC; the data straddles
//! week boundaries (Sunday 23:59:59 vs Monday 00:00:00 UTC) on purpose.
//!
//! The data set (W = one week, MON = Monday 2025-03-03 00:00:00 UTC):
//!
//! | posting | site   | applied_at              | status            |
//! |---------|--------|-------------------------|-------------------|
//! | p1      | Alpha  | MON - 1 (Sun 23:59:59)  | REJECTED          |
//! | p2      | Alpha  | MON (Mon 00:00:00)      | ACTIVELY_ENGAGED  |
//! | p3      | Beta   | MON + 3.5 days          | NO_RESPONSE       |
//! | p4      | Beta   | MON + 2W + 1 hour       | OFFER             |
//! | p5      | Alpha  | never                   | OPEN              |
//! | p6      | Beta   | MON - W - 1             | AWAITING_FEEDBACK |
//! | p7      | Beta   | MON (same as p2)        | WITHDRAWN         |
//!
//! Site Zeta has no postings. Alice's opportunities are ACTIVELY_ENGAGED,
//! AWAITING_FEEDBACK, NEW and OFFER. Bob has a site, an applied active
//! posting at MON and an active opportunity, none of which may count for Alice.

use shared::proto::jobsearch::jobs::v1::{
    self as pb, OpportunityStatus, PostingStatus, get_report_request::Report as Ask,
    get_report_response::Report as Answer,
};
use time::OffsetDateTime;
use tonic::{Code, Status};

use crate::{
    helpers::{TestApp, TestUser, authed, expect_code, spawn_app, ts},
    opportunities::violated_fields,
};

const DAY: i64 = 86_400;
const W: i64 = 7 * DAY;
/// Monday 2025-03-03 00:00:00 UTC.
const MON: i64 = 1_740_960_000;

/// Alice's data, by the names used in the table above.
struct Fixture {
    alpha: String,
    beta: String,
    zeta: String,
    /// p1..=p7 as `p[0]..=p[6]`.
    p: Vec<String>,
}

async fn site(app: &TestApp, user: &TestUser, name: &str) -> String {
    let request = pb::CreateJobSiteRequest {
        job_site: Some(pb::JobSite {
            site_name: name.into(),
            ..Default::default()
        }),
    };
    let mut jobs = app.jobs.clone();
    let reply = jobs.create_job_site(authed(request, &user.access_token));
    reply.await.unwrap().into_inner().id
}

async fn posting(
    app: &TestApp,
    user: &TestUser,
    site_id: &str,
    applied_at: Option<i64>,
    status: PostingStatus,
) -> String {
    let request = pb::CreateJobPostingRequest {
        job_posting: Some(pb::JobPosting {
            job_site_id: site_id.into(),
            company_name: "Acme".into(),
            posting_title: format!("{status:?}"),
            posting_status: status as i32,
            applied_at: applied_at.map(ts),
            ..Default::default()
        }),
    };
    let mut jobs = app.jobs.clone();
    let reply = jobs.create_job_posting(authed(request, &user.access_token));
    reply.await.unwrap().into_inner().id
}

async fn opportunity(app: &TestApp, user: &TestUser, status: OpportunityStatus) {
    let request = pb::CreateOpportunityRequest {
        opportunity: Some(pb::Opportunity {
            job_title: "Engineer".into(),
            opportunity_status: status as i32,
            ..Default::default()
        }),
    };
    let mut jobs = app.jobs.clone();
    let reply = jobs.create_opportunity(authed(request, &user.access_token));
    reply.await.unwrap();
}

/// Creates the data set for Alice, and Bob's data that must never count.
async fn fixture(app: &TestApp, alice: &TestUser, bob: &TestUser) -> Fixture {
    use PostingStatus as S;
    // Created in name order's reverse, so the report's order is not
    // creation order by accident.
    let zeta = site(app, alice, "Zeta Careers").await;
    let beta = site(app, alice, "Beta Board").await;
    let alpha = site(app, alice, "Alpha Jobs").await;
    let rows = [
        (&alpha, Some(MON - 1), S::Rejected),
        (&alpha, Some(MON), S::ActivelyEngaged),
        (&beta, Some(MON + 3 * DAY + DAY / 2), S::NoResponse),
        (&beta, Some(MON + 2 * W + 3600), S::Offer),
        (&alpha, None, S::Open),
        (&beta, Some(MON - W - 1), S::AwaitingFeedback),
        (&beta, Some(MON), S::Withdrawn),
    ];
    let mut p = Vec::new();
    for (site_id, applied_at, status) in rows {
        p.push(posting(app, alice, site_id, applied_at, status).await);
    }
    for status in [
        OpportunityStatus::ActivelyEngaged,
        OpportunityStatus::AwaitingFeedback,
        OpportunityStatus::New,
        OpportunityStatus::Offer,
    ] {
        opportunity(app, alice, status).await;
    }
    let bobs = site(app, bob, "Alpha Jobs").await;
    posting(app, bob, &bobs, Some(MON), S::ActivelyEngaged).await;
    opportunity(app, bob, OpportunityStatus::ActivelyEngaged).await;
    Fixture {
        alpha,
        beta,
        zeta,
        p,
    }
}

async fn report(app: &TestApp, user: &TestUser, ask: Option<Ask>) -> Result<Answer, Status> {
    let request = pb::GetReportRequest { report: ask };
    let reply = app
        .jobs
        .clone()
        .get_report(authed(request, &user.access_token))
        .await?;
    Ok(reply.into_inner().report.expect("a report"))
}

async fn dashboard(
    app: &TestApp,
    user: &TestUser,
    first: Option<i64>,
    second: Option<i64>,
) -> Result<pb::GetDashboardResponse, Status> {
    let request = pb::GetDashboardRequest {
        first_date: first.map(ts),
        second_date: second.map(ts),
    };
    let reply = app
        .jobs
        .clone()
        .get_dashboard(authed(request, &user.access_token))
        .await?;
    Ok(reply.into_inner())
}

fn applied_since(since: i64) -> Option<Ask> {
    Some(Ask::AppliedSince(pb::AppliedSinceRequest {
        since: Some(ts(since)),
    }))
}

fn per_week(since: i64) -> Option<Ask> {
    Some(Ask::ApplicationsPerWeek(pb::ApplicationsPerWeekRequest {
        since: Some(ts(since)),
    }))
}

/// `(week_start, applications)` of an applications-per-week answer.
fn weeks(answer: Answer) -> Vec<(i64, u32)> {
    let Answer::ApplicationsPerWeek(report) = answer else {
        panic!("expected applications per week, got {answer:?}");
    };
    let week = |row: &pb::ApplicationsPerWeekRow| row.week_start.unwrap().seconds;
    report
        .rows
        .iter()
        .map(|row| (week(row), row.applications))
        .collect()
}

/// Monday 00:00 UTC of the current week, computed with the `time` crate.
fn this_week() -> i64 {
    let today = OffsetDateTime::now_utc().date();
    let monday = today - time::Duration::days(i64::from(today.weekday().number_days_from_monday()));
    monday.midnight().assume_utc().unix_timestamp()
}

fn counts(period: Option<pb::PeriodCounts>) -> (u32, u32) {
    let period = period.expect("period counts");
    (period.postings, period.responses)
}

#[tokio::test]
async fn applied_since_lists_newest_applications_first_with_their_site() {
    let app = spawn_app().await;
    let (alice, bob) = (app.user("alice").await, app.user("bob").await);
    let f = fixture(&app, &alice, &bob).await;

    // Since MON (inclusive): p4, p3, then p2 and p7 (both at MON; equal
    // times list the newer posting, p7, first). p1 at MON - 1 is out.
    use PostingStatus as S;
    let row = |p: usize, applied: i64, site: &str, name: &str, status: S| pb::AppliedSinceRow {
        job_posting_id: f.p[p].clone(),
        company_name: "Acme".into(),
        posting_title: format!("{status:?}"),
        posting_status: status as i32,
        applied_at: Some(ts(applied)),
        job_site_id: site.into(),
        site_name: name.into(),
    };
    let (alpha, beta) = (&f.alpha, &f.beta);
    let since_monday = [
        row(3, MON + 2 * W + 3600, beta, "Beta Board", S::Offer),
        row(
            2,
            MON + 3 * DAY + DAY / 2,
            beta,
            "Beta Board",
            S::NoResponse,
        ),
        row(6, MON, beta, "Beta Board", S::Withdrawn),
        row(1, MON, alpha, "Alpha Jobs", S::ActivelyEngaged),
    ];
    let answer = report(&app, &alice, applied_since(MON)).await.unwrap();
    assert_eq!(
        answer,
        Answer::AppliedSince(pb::AppliedSinceReport {
            rows: since_monday.to_vec()
        })
    );

    // One second earlier takes in p1 (Sunday 23:59:59) as the last row.
    let mut rows = since_monday.to_vec();
    rows.push(row(0, MON - 1, alpha, "Alpha Jobs", S::Rejected));
    let answer = report(&app, &alice, applied_since(MON - 1)).await.unwrap();
    assert_eq!(
        answer,
        Answer::AppliedSince(pb::AppliedSinceReport { rows })
    );
}

#[tokio::test]
async fn postings_per_site_counts_every_site_by_name_including_empty_ones() {
    let app = spawn_app().await;
    let (alice, bob) = (app.user("alice").await, app.user("bob").await);
    let f = fixture(&app, &alice, &bob).await;
    let ask = Some(Ask::PostingsPerSite(pb::PostingsPerSiteRequest {}));
    let answer = report(&app, &alice, ask).await.unwrap();
    let row = |id: &str, name: &str, postings, applied| pb::PostingsPerSiteRow {
        job_site_id: id.into(),
        site_name: name.into(),
        postings,
        applied,
    };
    // Alpha: p1, p2, p5 (p5 never applied). Beta: p3, p4, p6, p7. Zeta: none.
    // Bob's "Alpha Jobs" is not Alice's.
    let rows = vec![
        row(&f.alpha, "Alpha Jobs", 3, 2),
        row(&f.beta, "Beta Board", 4, 4),
        row(&f.zeta, "Zeta Careers", 0, 0),
    ];
    assert_eq!(
        answer,
        Answer::PostingsPerSite(pb::PostingsPerSiteReport { rows })
    );
}

#[tokio::test]
async fn applications_per_week_buckets_by_utc_monday_with_zero_weeks() {
    let app = spawn_app().await;
    let (alice, bob) = (app.user("alice").await, app.user("bob").await);
    fixture(&app, &alice, &bob).await;

    // Since Sunday 2025-02-23 23:59:59: the first week starts Monday
    // 2025-02-17. p6 (that Sunday) | p1 (the next Sunday 23:59:59) | p2, p7
    // (Monday 00:00:00) and p3 | nothing | p4 | nothing until this week.
    let before = this_week();
    let rows = weeks(report(&app, &alice, per_week(MON - W - 1)).await.unwrap());
    let after = this_week();
    assert_eq!(
        rows[..5],
        [
            (MON - 2 * W, 1),
            (MON - W, 1),
            (MON, 3),
            (MON + W, 0),
            (MON + 2 * W, 1)
        ]
    );
    let (last, _) = *rows.last().unwrap();
    assert!(
        last == before || last == after,
        "the last row is the current week"
    );
    assert_eq!(
        rows.len(),
        usize::try_from((last - (MON - 2 * W)) / W + 1).unwrap()
    );
    for (i, (week_start, applications)) in rows.iter().enumerate().skip(5) {
        assert_eq!(*week_start, MON - 2 * W + W * i64::try_from(i).unwrap());
        assert_eq!(*applications, 0);
    }

    // A start in mid-week still counts the whole week: since Wednesday of
    // MON's week, that week has p2, p7 and p3, though p2 and p7 came first.
    let rows = weeks(report(&app, &alice, per_week(MON + 2 * DAY)).await.unwrap());
    assert_eq!(rows[..3], [(MON, 3), (MON + W, 0), (MON + 2 * W, 1)]);

    // Bob sees only his own posting.
    let rows = weeks(report(&app, &bob, per_week(MON)).await.unwrap());
    assert_eq!(rows[..3], [(MON, 1), (MON + W, 0), (MON + 2 * W, 0)]);
}

#[tokio::test]
async fn reports_need_a_kind_and_a_sane_start() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let cases = [
        (None, "report"),
        (
            Some(Ask::AppliedSince(pb::AppliedSinceRequest { since: None })),
            "applied_since.since",
        ),
        (
            Some(Ask::ApplicationsPerWeek(pb::ApplicationsPerWeekRequest {
                since: None,
            })),
            "applications_per_week.since",
        ),
        // More than about five years of weeks is refused.
        (
            per_week(this_week() - 6 * 365 * DAY),
            "applications_per_week.since",
        ),
        (applied_since(-1), "applied_since.since"),
    ];
    for (ask, field) in cases {
        let status = expect_code(report(&app, &alice, ask).await, Code::InvalidArgument);
        assert_eq!(violated_fields(&status), [field]);
    }
    // With no data, every week is a zero week.
    let rows = weeks(
        report(&app, &alice, per_week(this_week() - 3 * W))
            .await
            .unwrap(),
    );
    assert!(rows.len() >= 4 && rows.iter().all(|(_, n)| *n == 0));
}

#[tokio::test]
async fn the_dashboard_counts_periods_responses_and_active_objects() {
    let app = spawn_app().await;
    let (alice, bob) = (app.user("alice").await, app.user("bob").await);
    fixture(&app, &alice, &bob).await;

    // first = MON - W, second = MON + W. Applied postings: p1 MON-1 (rejected),
    // p2 MON, p3 MON+3.5d (no response), p4 MON+2W+1h, p6 MON-W-1, p7 MON.
    // Since first: p1 p2 p3 p4 p7 = 5 (p6 is one second early); responses
    // exclude p1 and p3 = 3. Between: p1 p2 p3 p7 = 4, responses p2 p7 = 2.
    // Since second: p4 = 1, a response. Active postings: p2 and p6. Active
    // opportunities: ACTIVELY_ENGAGED and AWAITING_FEEDBACK = 2.
    let answer = dashboard(&app, &alice, Some(MON - W), Some(MON + W))
        .await
        .unwrap();
    assert_eq!(answer.first_date, Some(ts(MON - W)));
    assert_eq!(answer.second_date, Some(ts(MON + W)));
    assert_eq!(counts(answer.since_first_date), (5, 3));
    assert_eq!(counts(answer.between_dates), (4, 2));
    assert_eq!(counts(answer.since_second_date), (1, 1));
    assert_eq!(
        (answer.active_postings, answer.active_opportunities),
        (2, 2)
    );

    // Both dates at MON: p2 and p7 (at MON exactly) count since both, and
    // the period between is empty.
    let answer = dashboard(&app, &alice, Some(MON), Some(MON)).await.unwrap();
    assert_eq!(counts(answer.since_first_date), (4, 3));
    assert_eq!(counts(answer.between_dates), (0, 0));
    assert_eq!(counts(answer.since_second_date), (4, 3));

    // Bob: one applied, active posting at MON and one active opportunity.
    let answer = dashboard(&app, &bob, Some(MON - W), Some(MON + W))
        .await
        .unwrap();
    assert_eq!(counts(answer.since_first_date), (1, 1));
    assert_eq!(counts(answer.between_dates), (1, 1));
    assert_eq!(counts(answer.since_second_date), (0, 0));
    assert_eq!(
        (answer.active_postings, answer.active_opportunities),
        (1, 1)
    );
}

#[tokio::test]
async fn the_dashboard_defaults_its_dates_and_refuses_them_out_of_order() {
    let app = spawn_app().await;
    let (alice, bob) = (app.user("alice").await, app.user("bob").await);
    fixture(&app, &alice, &bob).await;

    let before = crate::helpers::now();
    let answer = dashboard(&app, &alice, None, None).await.unwrap();
    let after = crate::helpers::now();
    let first = answer.first_date.unwrap().seconds;
    let second = answer.second_date.unwrap().seconds;
    assert!((before - 30 * DAY..=after - 30 * DAY).contains(&first));
    assert!((before - 7 * DAY..=after - 7 * DAY).contains(&second));
    // The data set is older than 30 days; the active counters ignore dates.
    assert_eq!(counts(answer.since_first_date), (0, 0));
    assert_eq!(
        (answer.active_postings, answer.active_opportunities),
        (2, 2)
    );

    let status = expect_code(
        dashboard(&app, &alice, Some(MON + 1), Some(MON)).await,
        Code::InvalidArgument,
    );
    assert_eq!(violated_fields(&status), ["first_date"]);
    let status = expect_code(
        dashboard(&app, &alice, Some(-5), None).await,
        Code::InvalidArgument,
    );
    assert_eq!(violated_fields(&status), ["first_date"]);
}
