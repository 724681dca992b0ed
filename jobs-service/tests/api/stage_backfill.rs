//! Migration 0002 back-fills the stage history of rows written before it,
//! so that deriving each parent from its history gives what is stored;
//! migration 0003 then sets the follow-ups that history calls for.

use jobs_service::{
    db::stage_events,
    domain::stage::{self, Parent, ParentKind},
};
use sqlx::{AnyPool, any::AnyPoolOptions};

const BEFORE: &str = include_str!("../../migrations/0001_initial.sql");
const BACKFILL: &str = include_str!("../../migrations/0002_stage_events.sql");
const FOLLOW_UPS: &str = include_str!("../../migrations/0003_follow_ups.sql");

/// A fresh database of the backend under test.
async fn database() -> (AnyPool, tempfile::TempDir) {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let url = match shared::testing::database_url("jobs_backfill").await {
        Some(url) => url,
        None => format!("sqlite://{}?mode=rwc", dir.path().join("jobs.db").display()),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    (pool, dir)
}

/// (status, applied, interviewed, rejected, follow-up) as stored.
type Stored = (i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

/// (user, id, status, applied, interviewed, rejected, update_time)
type Legacy = (
    &'static str,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
);

#[tokio::test]
async fn existing_postings_and_opportunities_get_the_history_their_fields_tell() {
    let (pool, _dir) = database().await;
    sqlx::raw_sql(BEFORE).execute(&pool).await.unwrap();
    let id = || uuid::Uuid::now_v7().to_string();
    let postings: Vec<Legacy> = vec![
        ("u1", id(), 1, None, None, None, 50),
        ("u1", id(), 3, Some(100), None, None, 150),
        ("u1", id(), 4, Some(100), Some(200), Some(300), 400),
        // Updated before the interview it records: the status goes last.
        ("u1", id(), 6, Some(100), Some(200), None, 150),
        // A rejection the seed never dated.
        ("u1", id(), 4, None, None, None, 500),
        ("u1", id(), 3, Some(100), Some(200), None, 250),
        ("u2", id(), 2, None, None, None, 60),
    ];
    for user in ["u1", "u2"] {
        sqlx::query(
            "INSERT INTO job_sites (user_id, id, site_name, create_time, update_time) \
             VALUES ($1, $2, 'Board', 1, 1)",
        )
        .bind(user)
        .bind(format!("site-{user}"))
        .execute(&pool)
        .await
        .unwrap();
    }
    for (user, id, status, applied, interviewed, rejected, updated) in &postings {
        sqlx::query(
            "INSERT INTO job_postings (user_id, id, job_site_id, company_name, posting_title, \
             posting_status, applied_at, interviewed_at, rejected_at, create_time, update_time) \
             VALUES ($1, $2, $3, 'Acme', 'Engineer', $4, $5, $6, $7, 1, $8)",
        )
        .bind(*user)
        .bind(id.as_str())
        .bind(format!("site-{user}"))
        .bind(*status)
        .bind(*applied)
        .bind(*interviewed)
        .bind(*rejected)
        .bind(*updated)
        .execute(&pool)
        .await
        .unwrap();
    }
    let opportunities = [("u1", id(), 1_i64), ("u1", id(), 6), ("u2", id(), 7)];
    for (user, id, status) in &opportunities {
        sqlx::query(
            "INSERT INTO opportunities (user_id, id, job_title, opportunity_status, \
             create_time, update_time) VALUES ($1, $2, 'Staff', $3, 1, 70)",
        )
        .bind(*user)
        .bind(id.as_str())
        .bind(*status)
        .execute(&pool)
        .await
        .unwrap();
    }

    sqlx::raw_sql(BACKFILL).execute(&pool).await.unwrap();
    sqlx::raw_sql(FOLLOW_UPS).execute(&pool).await.unwrap();

    let mut counts = Vec::new();
    for (user, id, status, applied, interviewed, rejected, _) in &postings {
        let parent = Parent {
            kind: ParentKind::Posting,
            id: id.clone(),
        };
        let history = stage_events::history(&pool, user, &parent).await.unwrap();
        assert!(history.iter().all(|e| uuid::Uuid::parse_str(&e.id).is_ok()));
        let derived = stage::derive(ParentKind::Posting, &history, &Default::default());
        let (status_, applied_, interviewed_, rejected_, follow_up): Stored = sqlx::query_as(
            "SELECT posting_status, applied_at, interviewed_at, rejected_at, follow_up_at \
             FROM job_postings WHERE user_id = $1 AND id = $2",
        )
        .bind(*user)
        .bind(id.as_str())
        .fetch_one(&pool)
        .await
        .unwrap();
        // Back-filled with the default rules.
        assert_eq!(follow_up, derived.follow_up_at, "posting {id}");
        let stored = (status_, applied_, interviewed_, rejected_);
        let from_history = (
            derived.status,
            derived.applied_at,
            derived.interviewed_at,
            derived.rejected_at,
        );
        assert_eq!(from_history, stored, "posting {id}");
        // Nothing the seed stored changed, except the undated rejection.
        let rejected = rejected.or((*status == 4).then_some(500));
        assert_eq!(stored, (*status, *applied, *interviewed, rejected));
        counts.push(history.len());
    }
    assert_eq!(counts, [0, 1, 3, 3, 1, 3, 1]);
    for (user, id, status) in &opportunities {
        let parent = Parent {
            kind: ParentKind::Opportunity,
            id: id.clone(),
        };
        let history = stage_events::history(&pool, user, &parent).await.unwrap();
        assert_eq!(history.len(), usize::from(*status != 1));
        let derived = stage::derive(ParentKind::Opportunity, &history, &Default::default());
        assert_eq!(derived.status, *status, "opportunity {id}");
    }
}
