//! `GetAnalytics` against a hand-computed fixture: Ada's seven applications
//! (waiting, ghosted, rejected after an interview, an accepted offer, a
//! withdrawal, one awaiting feedback and a recruiter opportunity) plus one
//! posting she never applied to; Bob's application must never count for her.
//!
//! Times are from Monday 2026-01-05 00:00 UTC (`M`, ISO week 2026-W02):
//!
//! | item | site  | steps (days after M)                           | minutes |
//! | ---- | ----- | ---------------------------------------------- | ------- |
//! | P1   | Alpha | APPLIED 1                                      | 30      |
//! | P2   | Alpha | APPLIED 2, NO_RESPONSE 16                      | 45      |
//! | P3   | Alpha | APPLIED 8, INTERVIEW 12, REJECTED 20           |         |
//! | P4   | Beta  | APPLIED 9, ENGAGED 10, INTERVIEW 15, OFFER 25, ACCEPTED 27 | 120 |
//! | P5   | Beta  | APPLIED 3, WITHDRAWN 5                         | 15      |
//! | P6   | Beta  | APPLIED 9, AWAITING_FEEDBACK 11                |         |
//! | P7   | Beta  | ENGAGED 1 (never applied: not an application)  | 500     |
//! | O1   |       | ENGAGED 0, APPLIED 4, INTERVIEW 7              |         |

use shared::proto::jobsearch::jobs::v1::{
    self as pb, AnalyticsGroupBy, GetAnalyticsRequest, Stage,
};
use tonic::{Code, Status};
use tonic_types::StatusExt as _;

use crate::{
    helpers::{TestApp, TestUser, authed, spawn_app, ts},
    sites,
    stage_helpers::{DAY, event, log},
};

/// Monday 2026-01-05 00:00 UTC.
pub const M: i64 = 1_767_571_200;

pub async fn analytics(
    app: &TestApp,
    user: &TestUser,
    request: GetAnalyticsRequest,
) -> Result<pb::GetAnalyticsResponse, Status> {
    let mut jobs = app.jobs.clone();
    Ok(jobs
        .get_analytics(authed(request, &user.access_token))
        .await?
        .into_inner())
}

pub fn window(start: Option<i64>, end: Option<i64>, by: AnalyticsGroupBy) -> GetAnalyticsRequest {
    GetAnalyticsRequest {
        start: start.map(ts),
        end: end.map(ts),
        group_by: by as i32,
    }
}

/// A posting of `user`'s on `site` with `minutes` spent, and its steps
/// (stage, days after M); returns its id.
async fn posting(
    app: &TestApp,
    user: &TestUser,
    site: &str,
    minutes: Option<i32>,
    steps: &[(Stage, i64)],
) -> String {
    let request = pb::CreateJobPostingRequest {
        job_posting: Some(pb::JobPosting {
            job_site_id: site.into(),
            company_name: "Acme".into(),
            posting_title: "Engineer".into(),
            time_spent: minutes,
            ..Default::default()
        }),
    };
    let mut jobs = app.jobs.clone();
    let created = jobs
        .create_job_posting(authed(request, &user.access_token))
        .await
        .unwrap()
        .into_inner();
    let parent = format!("jobPostings/{}", created.id);
    for (stage, day) in steps {
        log(app, user, &parent, event(*stage, M + day * DAY))
            .await
            .unwrap();
    }
    created.id
}

async fn site(app: &TestApp, user: &TestUser, name: &str) -> String {
    let site = pb::JobSite {
        site_name: name.into(),
        ..Default::default()
    };
    sites::create(app, user, site).await.unwrap().id
}

/// The ids of Ada's fixture.
pub struct Fixture {
    pub alpha: String,
    pub beta: String,
    /// P1 to P7.
    pub postings: Vec<String>,
    pub o1: String,
}

/// Ada's fixture (the table above) and Bob's one application.
pub async fn fixture(app: &TestApp, ada: &TestUser, bob: &TestUser) -> Fixture {
    use Stage::*;
    let alpha = site(app, ada, "Alpha").await;
    let beta = site(app, ada, "Beta").await;
    let mut postings = vec![posting(app, ada, &alpha, Some(30), &[(Applied, 1)]).await];
    let p2 = posting(
        app,
        ada,
        &alpha,
        Some(45),
        &[(Applied, 2), (NoResponse, 16)],
    )
    .await;
    postings.push(p2);
    let p3 = [(Applied, 8), (Interview, 12), (Rejected, 20)];
    postings.push(posting(app, ada, &alpha, None, &p3).await);
    let p4 = [
        (Applied, 9),
        (Engaged, 10),
        (Interview, 15),
        (Offer, 25),
        (Accepted, 27),
    ];
    postings.push(posting(app, ada, &beta, Some(120), &p4).await);
    let p5 = [(Applied, 3), (Withdrawn, 5)];
    postings.push(posting(app, ada, &beta, Some(15), &p5).await);
    let p6 = [(Applied, 9), (AwaitingFeedback, 11)];
    postings.push(posting(app, ada, &beta, None, &p6).await);
    postings.push(posting(app, ada, &beta, Some(500), &[(Engaged, 1)]).await);
    let request = pb::CreateOpportunityRequest {
        opportunity: Some(pb::Opportunity {
            job_title: "Staff Engineer".into(),
            ..Default::default()
        }),
    };
    let mut jobs = app.jobs.clone();
    let o1 = jobs
        .create_opportunity(authed(request, &ada.access_token))
        .await
        .unwrap()
        .into_inner();
    let parent = format!("opportunities/{}", o1.id);
    for (stage, day) in [(Engaged, 0), (Applied, 4), (Interview, 7)] {
        log(app, ada, &parent, event(stage, M + day * DAY))
            .await
            .unwrap();
    }
    let bobs = site(app, bob, "Alpha").await;
    posting(app, bob, &bobs, Some(999), &[(Applied, 1), (Offer, 2)]).await;
    Fixture {
        alpha,
        beta,
        postings,
        o1: o1.id,
    }
}

/// Checks that `answer`'s whole (summed from its groups when they do not
/// overlap) is the ungrouped answer in full.
pub async fn assert_whole_is_ungrouped(
    app: &TestApp,
    user: &TestUser,
    answer: &pb::GetAnalyticsResponse,
) {
    let ungrouped = analytics(app, user, window(None, None, AnalyticsGroupBy::None))
        .await
        .unwrap();
    assert_eq!(
        seen(answer.overall.as_ref().unwrap()),
        seen(ungrouped.overall.as_ref().unwrap())
    );
}

/// The figures as plain numbers, for one comparison.
#[derive(Debug, PartialEq)]
pub struct Seen {
    /// applied, responded, ghosted, waiting, withdrawn, with_next_step.
    pub counts: [u32; 6],
    /// response rate, ghosting rate, median days, p75 days.
    pub rates: [f64; 4],
    /// Applications per funnel stage, OPEN to WITHDRAWN.
    pub funnel: [u32; 10],
    /// (week start, ISO year, ISO week, applications).
    pub weeks: Vec<(i64, i32, i32, u32)>,
    pub minutes: i64,
}

pub fn seen(figures: &pb::AnalyticsFigures) -> Seen {
    let stages: Vec<i32> = figures.funnel.iter().map(|s| s.stage).collect();
    assert_eq!(
        stages,
        (1..=10).collect::<Vec<_>>(),
        "funnel stages in order"
    );
    Seen {
        counts: [
            figures.applied,
            figures.responded,
            figures.ghosted,
            figures.waiting,
            figures.withdrawn,
            figures.with_next_step,
        ],
        rates: [
            figures.response_rate,
            figures.ghosting_rate,
            figures.median_days_to_next_step,
            figures.p75_days_to_next_step,
        ],
        funnel: <[u32; 10]>::try_from(
            figures
                .funnel
                .iter()
                .map(|s| s.applications)
                .collect::<Vec<_>>(),
        )
        .unwrap(),
        weeks: figures
            .applications_per_week
            .iter()
            .map(|w| {
                let start = w.week_start.as_ref().unwrap().seconds;
                (start, w.iso_year, w.iso_week, w.applications)
            })
            .collect(),
        minutes: figures.time_spent_minutes,
    }
}

pub const W02: (i64, i32, i32) = (M, 2026, 2);
pub const W03: (i64, i32, i32) = (M + 7 * DAY, 2026, 3);

pub fn week((start, year, week): (i64, i32, i32), applications: u32) -> (i64, i32, i32, u32) {
    (start, year, week, applications)
}

#[tokio::test]
async fn analytics_over_all_time_match_the_hand_computed_fixture() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    fixture(&app, &ada, &bob).await;
    let answer = analytics(
        &app,
        &ada,
        window(None, None, AnalyticsGroupBy::Unspecified),
    )
    .await
    .unwrap();
    assert!(answer.groups.is_empty());
    // Seven applications (P7 never applied): P3, P4, O1 heard back; P2 was
    // ghosted; P1 and P6 wait; P5 was withdrawn. Days to the next step:
    // 1 (P4), 2 (P5), 2 (P6), 3 (O1), 4 (P3), 14 (P2); P1 has none. Median:
    // rank 2.5, halfway between 2 and 3; p75: rank 3.75, 3 + 0.75 * (4 - 3).
    let expected = Seen {
        counts: [7, 3, 1, 2, 1, 6],
        rates: [3.0 / 7.0, 1.0 / 7.0, 2.5, 3.75],
        funnel: [0, 7, 2, 3, 1, 1, 1, 1, 1, 1],
        weeks: vec![week(W02, 4), week(W03, 3)],
        minutes: 30 + 45 + 120 + 15,
    };
    assert_eq!(seen(answer.overall.as_ref().unwrap()), expected);

    // Bob sees only his own application.
    let bobs = analytics(&app, &bob, window(None, None, AnalyticsGroupBy::Site))
        .await
        .unwrap();
    let bobs = seen(bobs.overall.as_ref().unwrap());
    assert_eq!(bobs.counts, [1, 1, 0, 0, 0, 1]);
    assert_eq!(bobs.minutes, 999);
}

#[tokio::test]
async fn analytics_count_applications_dated_from_the_start_and_before_the_end() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    fixture(&app, &ada, &bob).await;
    // [M + 2 days, M + 9 days): P2 (on the start) P5, O1 and P3; not P1
    // (before) nor P4 and P6 (on the end).
    let request = window(Some(M + 2 * DAY), Some(M + 9 * DAY), AnalyticsGroupBy::None);
    let answer = analytics(&app, &ada, request).await.unwrap();
    // Days to the next step 2, 3, 4, 14: median 3.5; p75 rank 2.25,
    // 4 + 0.25 * (14 - 4).
    let expected = Seen {
        counts: [4, 2, 1, 0, 1, 4],
        rates: [0.5, 0.25, 3.5, 6.5],
        funnel: [0, 4, 1, 2, 0, 0, 0, 1, 1, 1],
        weeks: vec![week(W02, 3), week(W03, 1)],
        minutes: 45 + 15,
    };
    assert_eq!(seen(answer.overall.as_ref().unwrap()), expected);

    // Open-ended windows: from M + 9 days on, only P4 and P6.
    let from = window(Some(M + 9 * DAY), None, AnalyticsGroupBy::None);
    let later = analytics(&app, &ada, from).await.unwrap();
    assert_eq!(
        seen(later.overall.as_ref().unwrap()).counts,
        [2, 1, 0, 1, 0, 2]
    );
    let until = window(None, Some(M + 2 * DAY), AnalyticsGroupBy::None);
    let earlier = analytics(&app, &ada, until).await.unwrap();
    assert_eq!(
        seen(earlier.overall.as_ref().unwrap()).counts,
        [1, 0, 0, 1, 0, 0]
    );
}

#[tokio::test]
async fn analytics_by_site_give_the_same_figures_per_site_and_opportunities_apart() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let Fixture { alpha, beta, .. } = fixture(&app, &ada, &bob).await;
    let answer = analytics(&app, &ada, window(None, None, AnalyticsGroupBy::Site))
        .await
        .unwrap();
    assert_eq!(
        seen(answer.overall.as_ref().unwrap()).counts,
        [7, 3, 1, 2, 1, 6]
    );
    assert_whole_is_ungrouped(&app, &ada, &answer).await;
    let groups: Vec<(&str, &str)> = answer
        .groups
        .iter()
        .map(|g| (g.key.as_str(), g.name.as_str()))
        .collect();
    // By name: the opportunities' unnamed group first.
    assert_eq!(groups, [("", ""), (&*alpha, "Alpha"), (&*beta, "Beta")]);
    let figures = |i: usize| seen(answer.groups[i].figures.as_ref().unwrap());
    let opportunities = Seen {
        counts: [1, 1, 0, 0, 0, 1],
        rates: [1.0, 0.0, 3.0, 3.0],
        funnel: [0, 1, 1, 1, 0, 0, 0, 0, 0, 0],
        weeks: vec![week(W02, 1)],
        minutes: 0,
    };
    assert_eq!(figures(0), opportunities);
    // Alpha: P1 waits, P2 ghosted, P3 rejected; days 4 and 14: median 9,
    // p75 4 + 0.75 * 10.
    let alpha_figures = Seen {
        counts: [3, 1, 1, 1, 0, 2],
        rates: [1.0 / 3.0, 1.0 / 3.0, 9.0, 11.5],
        funnel: [0, 3, 0, 1, 0, 0, 0, 1, 1, 0],
        weeks: vec![week(W02, 2), week(W03, 1)],
        minutes: 75,
    };
    assert_eq!(figures(1), alpha_figures);
    // Beta: P4 accepted, P5 withdrawn, P6 awaiting feedback (still
    // waiting); days 1, 2, 2: median 2, p75 rank 1.5 between 2 and 2.
    let beta_figures = Seen {
        counts: [3, 1, 0, 1, 1, 3],
        rates: [1.0 / 3.0, 0.0, 2.0, 2.0],
        funnel: [0, 3, 1, 1, 1, 1, 1, 0, 0, 1],
        weeks: vec![week(W02, 1), week(W03, 2)],
        minutes: 135,
    };
    assert_eq!(figures(2), beta_figures);
}

#[tokio::test]
async fn analytics_of_a_user_with_nothing_are_zeros_not_nan() {
    let app = spawn_app().await;
    let cleo = app.user("cleo").await;
    // A site and a posting never applied to are still nothing to count.
    let board = site(&app, &cleo, "Board").await;
    posting(&app, &cleo, &board, Some(10), &[(Stage::Open, 0)]).await;
    for by in [AnalyticsGroupBy::None, AnalyticsGroupBy::Site] {
        let answer = analytics(&app, &cleo, window(None, None, by))
            .await
            .unwrap();
        let figures = answer.overall.as_ref().unwrap();
        assert_eq!(
            seen(figures),
            Seen {
                counts: [0; 6],
                rates: [0.0; 4],
                funnel: [0; 10],
                weeks: Vec::new(),
                minutes: 0,
            }
        );
        assert!(answer.groups.is_empty());
    }
}

#[tokio::test]
async fn analytics_name_each_bad_field() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let fields = |status: Status| -> Vec<String> {
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_details_bad_request().expect("field violations");
        details
            .field_violations
            .into_iter()
            .map(|v| v.field)
            .collect()
    };
    let backwards = window(Some(M), Some(M), AnalyticsGroupBy::None);
    let status = analytics(&app, &ada, backwards).await.unwrap_err();
    assert_eq!(fields(status), ["end"]);
    let request = GetAnalyticsRequest {
        start: Some(ts(-1)),
        end: None,
        group_by: 42,
    };
    let status = analytics(&app, &ada, request).await.unwrap_err();
    assert_eq!(fields(status), ["start", "group_by"]);
}
