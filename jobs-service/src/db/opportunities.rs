//! SQL for the `opportunities` table. Every statement is scoped by the
//! owner's `user_id`, so another user's row behaves exactly like a missing one.

use sqlx::{Any, Executor, FromRow};

use super::{Statement, tags};
use crate::domain::{
    opportunity::{Columns, OpportunityFilter},
    stage::ParentKind,
};

/// `SELECT` of [`OpportunityRow`]s from `opportunities o`: the recruiter's
/// name and company, when empty, come from the recruiter contact (if any).
/// Callers append `WHERE o.user_id = ...`.
const SELECT: &str = "SELECT o.id, o.job_title, o.opportunity_status, \
     CASE WHEN o.recruiter_name = '' AND c.id IS NOT NULL THEN c.name \
     ELSE o.recruiter_name END AS recruiter_name, \
     CASE WHEN o.recruiter_company = '' AND c.id IS NOT NULL THEN c.company \
     ELSE o.recruiter_company END AS recruiter_company, \
     o.email_received_at, o.employment_type, o.job_duration, o.location_type, o.location_city, \
     o.comments, o.job_description, o.create_time, o.update_time, o.follow_up_at, \
     o.recruiter_contact_id, o.source \
     FROM opportunities o \
     LEFT JOIN contacts c ON c.user_id = o.user_id AND c.id = o.recruiter_contact_id";

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
    pub recruiter_contact_id: Option<String>,
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
    sqlx::query_as(&format!("{SELECT} WHERE o.user_id = $1 AND o.id = $2"))
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
    let mut sql = Statement::new(SELECT);
    sql.push(" WHERE o.user_id = ").bind(user_id);
    sql.push(" AND o.id > ").bind(after);
    if filter.active_only {
        sql.push(&format!(" AND o.opportunity_status IN {ACTIVE_STATUSES}"));
    }
    if let Some(source) = filter.source {
        sql.push(" AND o.source = ").bind(source);
    }
    if let Some(key) = &filter.tag {
        tags::push_filter(&mut sql, ParentKind::Opportunity, "o", key);
    }
    sql.push(" ORDER BY o.id LIMIT ").bind(limit);
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
    Statement::delete("opportunities", user_id, id)
        .execute(db)
        .await
}
