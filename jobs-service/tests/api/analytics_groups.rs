//! `GetAnalytics` by SOURCE and by TAG, over the fixture of `analytics.rs`
//! with sources and tags added (P7 is never applied, so it counts nowhere):
//!
//! | item | source      | tags         |
//! | ---- | ----------- | ------------ |
//! | P1   | REFERRAL    | rust         |
//! | P2   | JOB_SITE    |              |
//! | P3   | REFERRAL    | rust, Remote |
//! | P4   | JOB_SITE    | rust         |
//! | P5   |             |              |
//! | P6   |             | Remote       |
//! | P7   | REFERRAL    | idle         |
//! | O1   | RECRUITER   | Remote       |
//!
//! Per item (from the table of `analytics.rs`): outcome, days to the next
//! step, minutes, week: P1 waiting, none, 30, W02; P2 ghosted, 14, 45, W02;
//! P3 responded, 4, 0, W03; P4 responded, 1, 120, W03; P5 withdrawn, 2, 15,
//! W02; P6 waiting, 2, 0, W03; O1 responded, 3, 0, W02.

use shared::proto::jobsearch::jobs::v1::{self as pb, AnalyticsGroupBy, Source};

use crate::{
    analytics::{
        Fixture, M, Seen, W02, W03, analytics, assert_whole_is_ungrouped, fixture, seen, week,
        window,
    },
    helpers::{TestApp, TestUser, spawn_app},
    stage_helpers::DAY,
    tag_helpers::{all_tags, update_opportunity, update_posting},
};

/// Sets the source and tags of Ada's fixture as the table above says.
async fn label(app: &TestApp, ada: &TestUser, fixture: &Fixture) {
    use Source::*;
    let labels: [(Source, &[&str]); 7] = [
        (Referral, &["rust"]),
        (JobSite, &[]),
        (Referral, &["rust", "Remote"]),
        (JobSite, &["rust"]),
        (Unspecified, &[]),
        (Unspecified, &["Remote"]),
        (Referral, &["idle"]),
    ];
    for (id, (source, tags)) in fixture.postings.iter().zip(labels) {
        let posting = pb::JobPosting {
            id: id.clone(),
            source: source as i32,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            ..Default::default()
        };
        update_posting(app, ada, posting, &["source", "tags"])
            .await
            .unwrap();
    }
    let o1 = pb::Opportunity {
        id: fixture.o1.clone(),
        source: Recruiter as i32,
        tags: vec!["Remote".into()],
        ..Default::default()
    };
    update_opportunity(app, ada, o1, &["source", "tags"])
        .await
        .unwrap();
}

/// The groups' (key, name) pairs and figures, in the answer's order.
fn groups(answer: &pb::GetAnalyticsResponse) -> (Vec<(String, String)>, Vec<Seen>) {
    answer
        .groups
        .iter()
        .map(|g| {
            let figures = seen(g.figures.as_ref().unwrap());
            ((g.key.clone(), g.name.clone()), figures)
        })
        .unzip()
}

#[tokio::test]
async fn analytics_by_source_give_the_same_figures_per_source_and_unstated_apart() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let fixture = fixture(&app, &ada, &bob).await;
    label(&app, &ada, &fixture).await;
    let by = window(None, None, AnalyticsGroupBy::Source);
    let answer = analytics(&app, &ada, by).await.unwrap();
    assert_eq!(
        seen(answer.overall.as_ref().unwrap()).counts,
        [7, 3, 1, 2, 1, 6]
    );
    assert_whole_is_ungrouped(&app, &ada, &answer).await;
    let (keys, figures) = groups(&answer);
    let named = |name: &str| (name.to_owned(), name.to_owned());
    assert_eq!(
        keys,
        [
            named(""),
            named("SOURCE_JOB_SITE"),
            named("SOURCE_RECRUITER"),
            named("SOURCE_REFERRAL"),
        ]
    );
    // Unstated: P5 withdrawn, P6 waiting; days 2 and 2.
    let unstated = Seen {
        counts: [2, 0, 0, 1, 1, 2],
        rates: [0.0, 0.0, 2.0, 2.0],
        funnel: [0, 2, 0, 0, 1, 0, 0, 0, 0, 1],
        weeks: vec![week(W02, 1), week(W03, 1)],
        minutes: 15,
    };
    // JOB_SITE: P2 ghosted, P4 accepted; days 1 and 14: median 7.5, p75
    // 1 + 0.75 * 13.
    let job_site = Seen {
        counts: [2, 1, 1, 0, 0, 2],
        rates: [0.5, 0.5, 7.5, 10.75],
        funnel: [0, 2, 1, 1, 0, 1, 1, 0, 1, 0],
        weeks: vec![week(W02, 1), week(W03, 1)],
        minutes: 165,
    };
    // RECRUITER: O1 alone, 3 days to its interview.
    let recruiter = Seen {
        counts: [1, 1, 0, 0, 0, 1],
        rates: [1.0, 0.0, 3.0, 3.0],
        funnel: [0, 1, 1, 1, 0, 0, 0, 0, 0, 0],
        weeks: vec![week(W02, 1)],
        minutes: 0,
    };
    // REFERRAL: P1 waiting, P3 rejected after 4 days (P7 never applied).
    let referral = Seen {
        counts: [2, 1, 0, 1, 0, 1],
        rates: [0.5, 0.0, 4.0, 4.0],
        funnel: [0, 2, 0, 1, 0, 0, 0, 1, 0, 0],
        weeks: vec![week(W02, 1), week(W03, 1)],
        minutes: 30,
    };
    assert_eq!(figures, [unstated, job_site, recruiter, referral]);
}

#[tokio::test]
async fn analytics_by_tag_count_an_application_in_each_of_its_tags() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let fixture = fixture(&app, &ada, &bob).await;
    label(&app, &ada, &fixture).await;
    let tag_id = |tags: &[pb::Tag], name: &str| {
        tags.iter()
            .find(|t| t.name == name)
            .map(|t| t.id.clone())
            .unwrap()
    };
    let tags = all_tags(&app, &ada, 10).await;
    let (rust, remote) = (tag_id(&tags, "rust"), tag_id(&tags, "Remote"));
    let all_time = window(None, None, AnalyticsGroupBy::Tag);
    let answer = analytics(&app, &ada, all_time).await.unwrap();
    assert_eq!(
        seen(answer.overall.as_ref().unwrap()).counts,
        [7, 3, 1, 2, 1, 6]
    );
    let (keys, figures) = groups(&answer);
    // By name, bytewise ("R" before "r"); "idle" only tags P7, never
    // applied, so it has no group.
    assert_eq!(
        keys,
        [
            (String::new(), String::new()),
            (remote, "Remote".to_owned()),
            (rust, "rust".to_owned()),
        ]
    );
    // Untagged: P2 ghosted, P5 withdrawn; days 2 and 14: median 8, p75
    // 2 + 0.75 * 12.
    let untagged = Seen {
        counts: [2, 0, 1, 0, 1, 2],
        rates: [0.0, 0.5, 8.0, 11.0],
        funnel: [0, 2, 0, 0, 0, 0, 0, 0, 1, 1],
        weeks: vec![week(W02, 2)],
        minutes: 60,
    };
    // Remote: P3 rejected, P6 waiting, O1 interviewing; days 2, 3, 4:
    // median 3, p75 rank 1.5 between 3 and 4.
    let remote_figures = Seen {
        counts: [3, 2, 0, 1, 0, 3],
        rates: [2.0 / 3.0, 0.0, 3.0, 3.5],
        funnel: [0, 3, 1, 2, 1, 0, 0, 1, 0, 0],
        weeks: vec![week(W02, 1), week(W03, 2)],
        minutes: 0,
    };
    // rust: P1 waiting, P3 rejected, P4 accepted; days 1 and 4: median
    // 2.5, p75 1 + 0.75 * 3. P3 is in both tags: 2 + 3 + 3 = 8 > 7.
    let rust_figures = Seen {
        counts: [3, 2, 0, 1, 0, 2],
        rates: [2.0 / 3.0, 0.0, 2.5, 3.25],
        funnel: [0, 3, 1, 2, 0, 1, 1, 1, 0, 0],
        weeks: vec![week(W02, 1), week(W03, 2)],
        minutes: 150,
    };
    assert_eq!(figures, [untagged, remote_figures, rust_figures]);

    // The window applies before the split: from M + 2 days, P1 is gone.
    let later = window(Some(M + 2 * DAY), None, AnalyticsGroupBy::Tag);
    let answer = analytics(&app, &ada, later).await.unwrap();
    let applied: Vec<u32> = groups(&answer).1.iter().map(|f| f.counts[0]).collect();
    assert_eq!(applied, [2, 3, 2]);
}
