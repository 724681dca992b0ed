//! SQL for the `opportunities` table. Every statement is scoped by the
//! owner's `user_id`, so another user's row behaves exactly like a missing one.

use sqlx::{Any, Executor, FromRow};

use super::{Statement, tags};
use crate::domain::{
    opportunity::{Columns, OpportunityFilter},
    stage::ParentKind,
};

/// Columns of [`OpportunityRow`], in table order.
const COLUMNS: &str = "id, job_title, opportunity_status, recruiter_name, recruiter_company, \
     email_received_at, employment_type, job_duration, location_type, location_city, comments, \
     job_description, create_time, update_time, follow_up_at, source";

/// Opportunity statuses that count as active: ACTIVELY_ENGAGED, AWAITING_FEEDBACK.
pub const ACTIVE_STATUSES: &str = "(2, 3)";

/// A stored opportunity. Enums are their protobuf numbers; `comments` is
/// JSON text (see [`crate::domain::Comment`]).
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct OpportunityRow {
    pub id: String,
    pub job_title: String,
    pub opportunity_status: i64,
    pub recruiter_name: String,
    pub recruiter_company: String,
    pub email_received_at: Option<i64>,
    pub employment_type: i64,
    pub job_duration: String,
    pub location_type: i64,
    pub location_city: String,
    pub comments: String,
    pub job_description: String,
    pub create_time: i64,
    pub update_time: i64,
    pub follow_up_at: Option<i64>,
    pub source: i64,
    /// Tag names, sorted ignoring case: read from the link table by the
    /// service, not a column.
    #[sqlx(skip)]
    pub tags: Vec<String>,
}

/// Inserts a new opportunity of `user_id` with the validated `columns`.
pub async fn insert(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    now: i64,
    columns: Columns,
) -> sqlx::Result<()> {
    let mut all: Columns = vec![
        ("user_id", user_id.into()),
        ("id", id.into()),
        ("create_time", now.into()),
        ("update_time", now.into()),
    ];
    all.extend(columns);
    Statement::insert("opportunities", &all).execute(db).await?;
    Ok(())
}

/// One of `user_id`'s opportunities.
pub async fn find(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<Option<OpportunityRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM opportunities WHERE user_id = $1 AND id = $2"
    ))
    .bind(user_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Up to `limit` of `user_id`'s opportunities after id `after` (empty: from
/// the start) that pass `filter`, in id (= creation) order.
pub async fn list(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    after: &str,
    limit: i64,
    filter: &OpportunityFilter,
) -> sqlx::Result<Vec<OpportunityRow>> {
    let mut sql = Statement::new(&format!("SELECT {COLUMNS} FROM opportunities"));
    sql.push(" WHERE user_id = ").bind(user_id);
    sql.push(" AND id > ").bind(after);
    if filter.active_only {
        sql.push(&format!(" AND opportunity_status IN {ACTIVE_STATUSES}"));
    }
    if let Some(source) = filter.source {
        sql.push(" AND source = ").bind(source);
    }
    if let Some(key) = &filter.tag {
        tags::push_filter(&mut sql, ParentKind::Opportunity, key);
    }
    sql.push(" ORDER BY id LIMIT ").bind(limit);
    sql.fetch_all(db).await
}

/// Sets the validated `columns` (and `update_time = now`) of one of
/// `user_id`'s opportunities; returns how many rows changed (0: no such
/// opportunity).
pub async fn update(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    now: i64,
    mut columns: Columns,
) -> sqlx::Result<u64> {
    columns.push(("update_time", now.into()));
    Statement::update("opportunities", user_id, id, &columns)
        .execute(db)
        .await
}

/// Deletes one of `user_id`'s opportunities; returns how many rows went.
pub async fn delete(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM opportunities WHERE user_id = $1 AND id = $2")
        .bind(user_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
