//! GetAnalytics reads the columns the stage derivation keeps on each parent
//! (`applied_at`, `stages_reached`, `next_step_at`); migration 0008
//! back-fills them for rows stored before it. The two must agree: after
//! histories are written, moved and trimmed through the service, running
//! the migration's back-fill again changes nothing.

use shared::proto::jobsearch::jobs::v1::Stage;

use crate::{
    analytics::{M, fixture},
    helpers::{TestApp, spawn_app, ts},
    stage_helpers::{DAY, edit, event, history, log, remove},
};

const MIGRATION: &str = include_str!("../../migrations/0008_funnel_columns.sql");

/// The migration's UPDATE statements, in order (comments dropped first:
/// they may hold semicolons).
fn backfill() -> Vec<String> {
    let code: Vec<&str> = MIGRATION
        .lines()
        .filter(|line| !line.trim_start().starts_with("--"))
        .collect();
    code.join("\n")
        .split(';')
        .map(str::trim)
        .filter(|statement| statement.starts_with("UPDATE"))
        .map(str::to_owned)
        .collect()
}

/// (table, id, applied_at, stages_reached, next_step_at) of every parent.
type Columns = Vec<(String, String, Option<i64>, i64, Option<i64>)>;

async fn columns(app: &TestApp) -> Columns {
    let mut all = Columns::new();
    for table in ["job_postings", "opportunities"] {
        let rows: Vec<(String, Option<i64>, i64, Option<i64>)> = sqlx::query_as(&format!(
            "SELECT id, applied_at, stages_reached, next_step_at FROM {table} ORDER BY id"
        ))
        .fetch_all(&app.jobs_state.db)
        .await
        .unwrap();
        all.extend(
            rows.into_iter()
                .map(|(id, a, s, n)| (table.to_owned(), id, a, s, n)),
        );
    }
    all
}

#[tokio::test]
async fn the_migration_backfill_agrees_with_the_derivation() {
    let app = spawn_app().await;
    let (ada, bob) = (app.user("ada").await, app.user("bob").await);
    let ids = fixture(&app, &ada, &bob).await;
    // Edits after the fact: P6 gets a reply at the very time it was sent
    // (a next step at the same time), P3 loses its interview, and O1's
    // application moves after its interview.
    let p6 = format!("jobPostings/{}", ids.postings[5]);
    log(&app, &ada, &p6, event(Stage::Engaged, M + 9 * DAY))
        .await
        .unwrap();
    let p3 = history(&app, &ada, &format!("jobPostings/{}", ids.postings[2]))
        .await
        .unwrap();
    let interview = p3.iter().find(|e| e.stage() == Stage::Interview).unwrap();
    remove(&app, &ada, &interview.id).await.unwrap();
    let o1 = history(&app, &ada, &format!("opportunities/{}", ids.o1))
        .await
        .unwrap();
    let mut applied = o1
        .iter()
        .find(|e| e.stage() == Stage::Applied)
        .unwrap()
        .clone();
    applied.occurred_at = Some(ts(M + 8 * DAY));
    edit(&app, &ada, applied, &["occurred_at"]).await.unwrap();

    let derived = columns(&app).await;
    // The fixture has what the comparison needs to mean something: parents
    // never applied to, ones with and without a next step, an opportunity.
    let table = |t: &'static str| derived.iter().filter(move |c| c.0 == t);
    assert!(table("job_postings").any(|c| c.2.is_none()));
    assert!(table("job_postings").any(|c| c.2.is_some() && c.4.is_none()));
    assert!(table("job_postings").any(|c| c.2.is_some() && c.4.is_some()));
    let o1_row = table("opportunities").find(|c| c.1 == ids.o1).unwrap();
    let bits = |stages: &[Stage]| stages.iter().map(|s| 1i64 << *s as i32).sum::<i64>();
    assert_eq!(
        (o1_row.2, o1_row.3, o1_row.4),
        (
            Some(M + 8 * DAY),
            bits(&[Stage::Engaged, Stage::Applied, Stage::Interview]),
            None
        ),
        "O1 applied after its last step: no next step"
    );
    let p6_row = table("job_postings")
        .find(|c| c.1 == ids.postings[5])
        .unwrap();
    assert_eq!(
        p6_row.4,
        Some(M + 9 * DAY),
        "a reply at the time of applying"
    );

    // Forget every derived value, then run the migration's back-fill.
    for table in ["job_postings", "opportunities"] {
        sqlx::query(&format!(
            "UPDATE {table} SET stages_reached = 0, next_step_at = NULL"
        ))
        .execute(&app.jobs_state.db)
        .await
        .unwrap();
    }
    sqlx::query("UPDATE opportunities SET applied_at = NULL")
        .execute(&app.jobs_state.db)
        .await
        .unwrap();
    let statements = backfill();
    assert_eq!(statements.len(), 5, "the back-fill's UPDATEs");
    for statement in statements {
        sqlx::raw_sql(&statement)
            .execute(&app.jobs_state.db)
            .await
            .unwrap();
    }
    assert_eq!(columns(&app).await, derived);
}
