//! SQL for the `job_postings` table. Every statement is scoped by the owning
//! user's id, so another user's row behaves exactly like a missing one.

use serde::de::DeserializeOwned;
use sqlx::{Any, Executor, FromRow};

use super::{Statement, tags};
use crate::domain::{
    Comment, Value,
    job_posting::{ACTIVE_STATUSES, PostingFilter, Question},
    stage::ParentKind,
};

/// The columns of [`JobPostingRow`], with `$password` standing for the
/// password column: the real one, or an empty string for lists.
macro_rules! columns {
    ($password:literal) => {
        concat!(
            "id, job_site_id, company_name, posting_title, posting_status, posting_url_full, \
             posting_url_domain, ",
            $password,
            ", pay_range, location_type, location_city, employment_type, applied_at, \
             interviewed_at, rejected_at, rejected_after_stage, job_scan_info, outreach_info, \
             time_spent, technology_string, technology_stack, comments, \
             posting_application_questions, job_description, create_time, update_time, \
             follow_up_at, source"
        )
    };
}

/// Every column, for single-posting reads.
const COLUMNS: &str = columns!("posting_password_ciphertext");
/// Lists never return passwords, so they never even read the ciphertext.
pub(super) const LIST_COLUMNS: &str = columns!("'' AS posting_password_ciphertext");

/// A list stored as JSON text. Stored text that does not decode is a
/// decoding error (corruption), not an empty list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsonList<T>(pub Vec<T>);

impl<T: DeserializeOwned> TryFrom<String> for JsonList<T> {
    type Error = serde_json::Error;

    fn try_from(json: String) -> Result<Self, Self::Error> {
        serde_json::from_str(&json).map(Self)
    }
}

/// A stored job posting. Enums are their protobuf numbers; the password is
/// ciphertext (see `crate::crypto`).
#[derive(Clone, FromRow)]
pub struct JobPostingRow {
    pub id: String,
    pub job_site_id: String,
    pub company_name: String,
    pub posting_title: String,
    pub posting_status: i64,
    pub posting_url_full: String,
    pub posting_url_domain: String,
    pub posting_password_ciphertext: String,
    pub pay_range: String,
    pub location_type: i64,
    pub location_city: String,
    pub employment_type: i64,
    pub applied_at: Option<i64>,
    pub interviewed_at: Option<i64>,
    pub rejected_at: Option<i64>,
    pub rejected_after_stage: String,
    pub job_scan_info: String,
    pub outreach_info: String,
    pub time_spent: Option<i64>,
    pub technology_string: String,
    #[sqlx(try_from = "String")]
    pub technology_stack: JsonList<String>,
    #[sqlx(try_from = "String")]
    pub comments: JsonList<Comment>,
    #[sqlx(try_from = "String")]
    pub posting_application_questions: JsonList<Question>,
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

impl std::fmt::Debug for JobPostingRow {
    // Not even the ciphertext goes to logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobPostingRow")
            .field("id", &self.id)
            .field("job_site_id", &self.job_site_id)
            .field("posting_status", &self.posting_status)
            .finish_non_exhaustive()
    }
}

/// Inserts a posting with `columns` (validated values, the sealed password
/// included) for `user_id` on `job_site_id`, created and updated at `now`,
/// provided the site is one of the user's: the check and the insert are one
/// statement, so a concurrent delete of the site cannot slip in between.
/// Returns whether it was inserted (`false`: no such site).
pub async fn insert(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    job_site_id: &str,
    now: i64,
    columns: Vec<(&'static str, Value)>,
) -> sqlx::Result<bool> {
    let mut all = vec![
        ("user_id", user_id.into()),
        ("id", id.into()),
        ("job_site_id", job_site_id.into()),
        ("create_time", now.into()),
        ("update_time", now.into()),
    ];
    all.extend(columns);
    let mut statement = Statement::insert("job_postings", &all);
    statement
        .push(" WHERE EXISTS (SELECT 1 FROM job_sites WHERE user_id = ")
        .bind(user_id)
        .push(" AND id = ")
        .bind(job_site_id)
        .push(")");
    Ok(statement.execute(db).await? == 1)
}

/// One of `user_id`'s postings.
pub async fn find(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<Option<JobPostingRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM job_postings WHERE user_id = $1 AND id = $2"
    ))
    .bind(user_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Up to `limit` of `user_id`'s postings after id `after` (empty: from the
/// start) that pass `filter`, in id (= creation) order, with empty passwords.
pub async fn list(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    filter: &PostingFilter,
    after: &str,
    limit: i64,
) -> sqlx::Result<Vec<JobPostingRow>> {
    let mut sql = Statement::new(&format!("SELECT {LIST_COLUMNS} FROM job_postings"));
    sql.push(" WHERE user_id = ").bind(user_id);
    sql.push(" AND id > ").bind(after);
    push_filter(&mut sql, filter);
    sql.push(" ORDER BY id LIMIT ").bind(limit);
    sql.fetch_all(db).await
}

/// Appends the conditions of `filter` (` AND ...`) on `job_postings`.
pub(super) fn push_filter(sql: &mut Statement, filter: &PostingFilter) {
    if let Some(site) = &filter.job_site_id {
        sql.push(" AND job_site_id = ").bind(site.as_str());
    }
    if !filter.statuses.is_empty() {
        sql.push(" AND posting_status IN (");
        sql.bind_list(filter.statuses.iter().copied()).push(")");
    }
    if filter.active_only {
        let active = ACTIVE_STATUSES.map(|status| i64::from(status as i32));
        sql.push(" AND posting_status IN (")
            .bind_list(active)
            .push(")");
    }
    if let Some(after) = filter.applied_after {
        sql.push(" AND applied_at >= ").bind(after);
    }
    if let Some(before) = filter.applied_before {
        sql.push(" AND applied_at < ").bind(before);
    }
    if let Some(source) = filter.source {
        sql.push(" AND source = ").bind(source);
    }
    if let Some(key) = &filter.tag {
        tags::push_filter(sql, ParentKind::Posting, "job_postings", key);
    }
}

/// The id of another of `user_id`'s postings (not `id`) with the same
/// company and title ignoring case, if any: the oldest. SQLite's lower()
/// folds ASCII letters only, so there "ignoring case" is ASCII-only.
pub async fn duplicate_of(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    company_name: &str,
    posting_title: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT id FROM job_postings WHERE user_id = $1 AND id <> $2 \
         AND lower(company_name) = lower($3) AND lower(posting_title) = lower($4) \
         ORDER BY id LIMIT 1",
    )
    .bind(user_id)
    .bind(id)
    .bind(company_name)
    .bind(posting_title)
    .fetch_optional(db)
    .await
}

/// Sets `columns` (from the domain's allowlist; `update_time` included by
/// the caller) on one of `user_id`'s postings; returns rows changed.
pub async fn update(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    columns: &[(&'static str, Value)],
) -> sqlx::Result<u64> {
    Statement::update("job_postings", user_id, id, columns)
        .execute(db)
        .await
}

/// Deletes one of `user_id`'s postings; returns rows deleted.
pub async fn delete(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<u64> {
    Statement::delete("job_postings", user_id, id)
        .execute(db)
        .await
}

/// Deletes every posting on one of `user_id`'s sites; returns how many.
pub async fn delete_on_site(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    job_site_id: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM job_postings WHERE user_id = $1 AND job_site_id = $2")
        .bind(user_id)
        .bind(job_site_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
