//! SQL for the `stage_events` table and for the parent columns derived from
//! it. Every statement is scoped by the owning user's id; table and column
//! names come only from [`ParentKind`]'s fixed lists.

use sqlx::{Any, Executor, FromRow};

use super::Statement;
use crate::domain::{
    Value,
    stage::{Derived, Event, Parent, ParentKind},
};

/// Columns of [`StageEventRow`].
const COLUMNS: &str = "id, job_posting_id, opportunity_id, stage, occurred_at, note, \
     close_reason, create_time, update_time";

/// A stored event. Enums are their protobuf numbers.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StageEventRow {
    pub id: String,
    pub job_posting_id: Option<String>,
    pub opportunity_id: Option<String>,
    pub stage: i64,
    pub occurred_at: i64,
    pub note: String,
    pub close_reason: i64,
    pub create_time: i64,
    pub update_time: i64,
}

impl StageEventRow {
    /// The posting or opportunity it belongs to.
    pub fn parent(&self) -> Parent {
        Parent::of_row(
            self.job_posting_id.as_deref(),
            self.opportunity_id.as_deref(),
        )
    }
}

/// Sets the parent's `update_time`: the first statement of every history
/// write. It takes SQLite's write lock before any read and PostgreSQL's row
/// lock on the parent, so writers of one history serialise and each derives
/// from the whole history. Returns rows changed (0: not the user's).
pub async fn touch_parent(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    parent: &Parent,
    now: i64,
) -> sqlx::Result<u64> {
    let columns = [("update_time", Value::Int(now))];
    Statement::update(parent.kind.table(), user_id, &parent.id, &columns)
        .execute(db)
        .await
}

/// Like [`touch_parent`], for the `kind` parent of event `event_id`.
pub async fn touch_parent_of(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    kind: ParentKind,
    event_id: &str,
    now: i64,
) -> sqlx::Result<u64> {
    let mut sql = Statement::new(&format!("UPDATE {} SET update_time = ", kind.table()));
    sql.bind(now).push(" WHERE user_id = ").bind(user_id);
    sql.push(&format!(
        " AND id = (SELECT {} FROM stage_events",
        kind.column()
    ));
    sql.push(" WHERE user_id = ").bind(user_id);
    sql.push(" AND id = ").bind(event_id).push(")");
    sql.execute(db).await
}

/// Whether `parent` is one of `user_id`'s.
pub async fn parent_exists(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    parent: &Parent,
) -> sqlx::Result<bool> {
    super::exists(db, parent.kind.table(), user_id, &parent.id).await
}

/// Logs an event of `user_id` under `parent`, logged at `now`.
pub async fn insert(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    parent: &Parent,
    event: &Event,
    note: &str,
    close_reason: i64,
    now: i64,
) -> sqlx::Result<()> {
    let columns = [
        ("user_id", Value::from(user_id)),
        ("id", event.id.as_str().into()),
        (parent.kind.column(), parent.id.as_str().into()),
        ("stage", event.stage.into()),
        ("occurred_at", event.occurred_at.into()),
        ("note", note.into()),
        ("close_reason", close_reason.into()),
        ("create_time", now.into()),
        ("update_time", now.into()),
    ];
    Statement::insert("stage_events", &columns)
        .execute(db)
        .await?;
    Ok(())
}

/// One of `user_id`'s events.
pub async fn find(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<Option<StageEventRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM stage_events WHERE user_id = $1 AND id = $2"
    ))
    .bind(user_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Up to `limit` events of `parent` after position `after` (none: from the
/// start), in history order: `(occurred_at, id)`.
pub async fn page(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    parent: &Parent,
    after: Option<&(i64, String)>,
    limit: i64,
) -> sqlx::Result<Vec<StageEventRow>> {
    let mut sql = Statement::new(&format!("SELECT {COLUMNS} FROM stage_events"));
    sql.push(" WHERE user_id = ").bind(user_id);
    sql.push(&format!(" AND {} = ", parent.kind.column()))
        .bind(parent.id.as_str());
    if let Some((at, id)) = after {
        sql.push(" AND (occurred_at > ").bind(*at);
        sql.push(" OR (occurred_at = ").bind(*at);
        sql.push(" AND id > ").bind(id.as_str()).push("))");
    }
    sql.push(" ORDER BY occurred_at, id LIMIT ").bind(limit);
    sql.fetch_all(db).await
}

/// The whole history of `parent`, for the derivation.
pub async fn history(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    parent: &Parent,
) -> sqlx::Result<Vec<Event>> {
    let mut sql = Statement::new("SELECT id, stage, occurred_at FROM stage_events");
    sql.push(" WHERE user_id = ").bind(user_id);
    sql.push(&format!(" AND {} = ", parent.kind.column()))
        .bind(parent.id.as_str());
    let rows: Vec<(String, i64, i64)> = sql.fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(id, stage, occurred_at)| Event {
            id,
            stage,
            occurred_at,
        })
        .collect())
}

/// Sets validated `columns` (and `update_time`) of one of `user_id`'s events.
pub async fn update(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    columns: &[(&'static str, Value)],
) -> sqlx::Result<u64> {
    Statement::update("stage_events", user_id, id, columns)
        .execute(db)
        .await
}

/// Deletes one of `user_id`'s events; returns rows deleted.
pub async fn delete(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<u64> {
    Statement::delete("stage_events", user_id, id)
        .execute(db)
        .await
}

/// Deletes every event of `stage` in `parent`'s history.
pub async fn delete_stage(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    parent: &Parent,
    stage: i64,
) -> sqlx::Result<u64> {
    let mut sql = Statement::new("DELETE FROM stage_events WHERE user_id = ");
    sql.bind(user_id);
    sql.push(&format!(" AND {} = ", parent.kind.column()))
        .bind(parent.id.as_str());
    sql.push(" AND stage = ").bind(stage);
    sql.execute(db).await
}

/// Stores what the history decided on the parent. The rules' follow-up
/// date is written only while the user has not set one (`follow_up_manual`),
/// decided by the same statement, so no read can go stale in between.
pub async fn write_derived(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    parent: &Parent,
    derived: &Derived,
) -> sqlx::Result<u64> {
    let mut sql = Statement::new(&format!("UPDATE {} SET ", parent.kind.table()));
    for (column, value) in derived.columns(parent.kind) {
        sql.push(column).push(" = ").bind(value).push(", ");
    }
    sql.push("follow_up_at = CASE WHEN follow_up_manual = 1 THEN follow_up_at ELSE ")
        .bind(derived.follow_up_at)
        .push(" END");
    sql.push(" WHERE user_id = ").bind(user_id);
    sql.push(" AND id = ").bind(parent.id.as_str());
    sql.execute(db).await
}
