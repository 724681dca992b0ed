//! SQL for the `interviews` table. Every statement is scoped by the owning
//! user's id; table and column names come only from fixed allowlists.

use sqlx::{Any, Executor, FromRow};

use super::Statement;
use crate::domain::{Value, stage::Parent};

/// Columns of [`InterviewRow`], qualified by the `i` alias.
const COLUMNS: &str = "i.id, i.job_posting_id, i.opportunity_id, i.round, i.kind, \
     i.scheduled_at, i.time_zone, i.duration_minutes, i.location, i.meeting_url, i.prep_notes, \
     i.outcome, i.create_time, i.update_time";

/// A stored interview. Enums are their protobuf numbers.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct InterviewRow {
    pub id: String,
    pub job_posting_id: Option<String>,
    pub opportunity_id: Option<String>,
    pub round: i64,
    pub kind: i64,
    pub scheduled_at: i64,
    pub time_zone: String,
    pub duration_minutes: i64,
    pub location: String,
    pub meeting_url: String,
    pub prep_notes: String,
    pub outcome: i64,
    pub create_time: i64,
    pub update_time: i64,
}

impl InterviewRow {
    /// The posting or opportunity it belongs to.
    pub fn parent(&self) -> Parent {
        Parent::of_row(
            self.job_posting_id.as_deref(),
            self.opportunity_id.as_deref(),
        )
    }
}

/// An interview with its parent's company and title.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ScheduledRow {
    #[sqlx(flatten)]
    pub interview: InterviewRow,
    pub company: String,
    pub title: String,
}

/// Stores a new interview of `user_id` under `parent`.
pub async fn insert(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    parent: &Parent,
    columns: &[(&'static str, Value)],
    now: i64,
) -> sqlx::Result<()> {
    let mut all = vec![
        ("user_id", Value::from(user_id)),
        ("id", id.into()),
        (parent.kind.column(), parent.id.as_str().into()),
        ("create_time", now.into()),
        ("update_time", now.into()),
    ];
    all.extend(columns.iter().cloned());
    Statement::insert("interviews", &all).execute(db).await?;
    Ok(())
}

/// One of `user_id`'s interviews.
pub async fn find(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<Option<InterviewRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM interviews i WHERE i.user_id = $1 AND i.id = $2"
    ))
    .bind(user_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// How many interviews `parent` has.
pub async fn count(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    parent: &Parent,
) -> sqlx::Result<i64> {
    let mut sql = Statement::new("SELECT COUNT(*) FROM interviews WHERE user_id = ");
    sql.bind(user_id);
    sql.push(&format!(" AND {} = ", parent.kind.column()))
        .bind(parent.id.as_str());
    let rows: Vec<(i64,)> = sql.fetch_all(db).await?;
    Ok(rows.first().map_or(0, |(n,)| *n))
}

/// Appends "after position `after`" in `(scheduled_at, id)` order.
fn push_after(sql: &mut Statement, after: Option<&(i64, String)>) {
    if let Some((at, id)) = after {
        sql.push(" AND (i.scheduled_at > ").bind(*at);
        sql.push(" OR (i.scheduled_at = ").bind(*at);
        sql.push(" AND i.id > ").bind(id.as_str()).push("))");
    }
}

/// Up to `limit` interviews of `parent` after `after`, by `(scheduled_at, id)`.
pub async fn page(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    parent: &Parent,
    after: Option<&(i64, String)>,
    limit: i64,
) -> sqlx::Result<Vec<InterviewRow>> {
    let mut sql = Statement::new(&format!("SELECT {COLUMNS} FROM interviews i"));
    sql.push(" WHERE i.user_id = ").bind(user_id);
    sql.push(&format!(" AND i.{} = ", parent.kind.column()))
        .bind(parent.id.as_str());
    push_after(&mut sql, after);
    sql.push(" ORDER BY i.scheduled_at, i.id LIMIT ")
        .bind(limit);
    sql.fetch_all(db).await
}

/// Up to `limit` of `user_id`'s interviews starting in `[from, until)`
/// after `after`, across parents, by `(scheduled_at, id)`, with each
/// parent's company and title.
pub async fn window(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    from: i64,
    until: Option<i64>,
    after: Option<&(i64, String)>,
    limit: i64,
) -> sqlx::Result<Vec<ScheduledRow>> {
    let mut sql = Statement::new(&format!(
        "SELECT {COLUMNS}, \
         COALESCE(p.company_name, o.recruiter_company, '') AS company, \
         COALESCE(p.posting_title, o.job_title, '') AS title \
         FROM interviews i \
         LEFT JOIN job_postings p ON p.user_id = i.user_id AND p.id = i.job_posting_id \
         LEFT JOIN opportunities o ON o.user_id = i.user_id AND o.id = i.opportunity_id"
    ));
    sql.push(" WHERE i.user_id = ").bind(user_id);
    sql.push(" AND i.scheduled_at >= ").bind(from);
    if let Some(until) = until {
        sql.push(" AND i.scheduled_at < ").bind(until);
    }
    push_after(&mut sql, after);
    sql.push(" ORDER BY i.scheduled_at, i.id LIMIT ")
        .bind(limit);
    sql.fetch_all(db).await
}

/// Sets validated `columns` (and `update_time`) of one of `user_id`'s
/// interviews; returns rows changed (0: not the user's).
pub async fn update(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    now: i64,
    columns: &[(&'static str, Value)],
) -> sqlx::Result<u64> {
    let mut all = columns.to_vec();
    all.push(("update_time", now.into()));
    Statement::update("interviews", user_id, id, &all)
        .execute(db)
        .await
}

/// Deletes one of `user_id`'s interviews (its links go by cascade).
pub async fn delete(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<u64> {
    Statement::delete("interviews", user_id, id)
        .execute(db)
        .await
}

/// `(interview_id, contact_id)` of the INTERVIEWER links of `ids`, by
/// interview then contact.
pub async fn interviewers(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    ids: &[&str],
) -> sqlx::Result<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Statement::new("SELECT interview_id, contact_id FROM contact_links");
    sql.push(" WHERE user_id = ").bind(user_id);
    sql.push(" AND role = ").bind(INTERVIEWER);
    sql.push(" AND interview_id IN (")
        .bind_list(ids.iter().copied())
        .push(")");
    sql.push(" ORDER BY interview_id, contact_id");
    sql.fetch_all(db).await
}

/// `ContactRole::Interviewer` as stored.
const INTERVIEWER: i64 = 2;
