//! SQL for the reports and the dashboard: read-only aggregates over one
//! user's postings, sites and opportunities.
//!
//! Portability: counters use `COUNT(CASE WHEN ... THEN 1 END)`, which is
//! BIGINT on PostgreSQL and INTEGER on SQLite, so both decode as `i64`
//! through the `Any` driver (`SUM` would be NUMERIC on PostgreSQL).

use sqlx::{Any, Executor, FromRow};

use super::opportunities::ACTIVE_STATUSES as ACTIVE_OPPORTUNITY_STATUSES;

/// Posting statuses that count as active: ACTIVELY_ENGAGED, AWAITING_FEEDBACK.
const ACTIVE_POSTING_STATUSES: &str = "(2, 3)";
/// Posting statuses that are not a response: REJECTED, NO_RESPONSE.
const NOT_RESPONSES: &str = "(4, 5)";

/// One posting of the applied-since report.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AppliedRow {
    pub job_posting_id: String,
    pub company_name: String,
    pub posting_title: String,
    pub posting_status: i64,
    pub applied_at: i64,
    pub job_site_id: String,
    pub site_name: String,
}

/// `user_id`'s postings applied at or after `since`, newest application
/// first; equal times newest posting (highest id) first.
pub async fn applied_since(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    since: i64,
) -> sqlx::Result<Vec<AppliedRow>> {
    sqlx::query_as(
        "SELECT p.id AS job_posting_id, p.company_name, p.posting_title, p.posting_status, \
         p.applied_at, p.job_site_id, s.site_name \
         FROM job_postings p \
         JOIN job_sites s ON s.user_id = p.user_id AND s.id = p.job_site_id \
         WHERE p.user_id = $1 AND p.applied_at >= $2 \
         ORDER BY p.applied_at DESC, p.id DESC",
    )
    .bind(user_id)
    .bind(since)
    .fetch_all(db)
    .await
}

/// One site of the postings-per-site report.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SiteCountRow {
    pub job_site_id: String,
    pub site_name: String,
    pub postings: i64,
    pub applied: i64,
}

/// Every one of `user_id`'s sites (zero postings included) with its number
/// of postings and of applied postings, by site name (byte order) then id.
pub async fn postings_per_site(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
) -> sqlx::Result<Vec<SiteCountRow>> {
    let mut rows: Vec<SiteCountRow> = sqlx::query_as(
        "SELECT s.id AS job_site_id, s.site_name, COUNT(p.id) AS postings, \
         COUNT(p.applied_at) AS applied \
         FROM job_sites s \
         LEFT JOIN job_postings p ON p.user_id = s.user_id AND p.job_site_id = s.id \
         WHERE s.user_id = $1 \
         GROUP BY s.id, s.site_name",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    // Sorted here, not by ORDER BY: PostgreSQL orders text by the database's
    // locale collation and SQLite by bytes, and the answer must not depend on
    // the backend.
    rows.sort_by(|a, b| {
        (a.site_name.as_str(), a.job_site_id.as_str())
            .cmp(&(b.site_name.as_str(), b.job_site_id.as_str()))
    });
    Ok(rows)
}

/// The `applied_at` times of `user_id`'s postings in `[from, until)`.
pub async fn applied_times(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    from: i64,
    until: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT applied_at FROM job_postings \
         WHERE user_id = $1 AND applied_at >= $2 AND applied_at < $3",
    )
    .bind(user_id)
    .bind(from)
    .bind(until)
    .fetch_all(db)
    .await
}

/// The dashboard's counters, as counted by the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct DashboardRow {
    pub since_first: i64,
    pub since_first_responses: i64,
    pub between_dates: i64,
    pub between_responses: i64,
    pub since_second: i64,
    pub since_second_responses: i64,
    pub active_postings: i64,
    pub active_opportunities: i64,
}

/// Counts `user_id`'s postings by `applied_at` against `first` and `second`
/// (a NULL `applied_at` is in no period), the active postings and the active
/// opportunities, in one statement so the counters are one snapshot.
pub async fn dashboard(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    first: i64,
    second: i64,
) -> sqlx::Result<DashboardRow> {
    let response = format!("posting_status NOT IN {NOT_RESPONSES}");
    let sql = format!(
        "SELECT \
         COUNT(CASE WHEN applied_at >= $2 THEN 1 END) AS since_first, \
         COUNT(CASE WHEN applied_at >= $2 AND {response} THEN 1 END) AS since_first_responses, \
         COUNT(CASE WHEN applied_at >= $2 AND applied_at < $3 THEN 1 END) AS between_dates, \
         COUNT(CASE WHEN applied_at >= $2 AND applied_at < $3 AND {response} THEN 1 END) \
           AS between_responses, \
         COUNT(CASE WHEN applied_at >= $3 THEN 1 END) AS since_second, \
         COUNT(CASE WHEN applied_at >= $3 AND {response} THEN 1 END) AS since_second_responses, \
         COUNT(CASE WHEN posting_status IN {ACTIVE_POSTING_STATUSES} THEN 1 END) \
           AS active_postings, \
         (SELECT COUNT(*) FROM opportunities o \
           WHERE o.user_id = $1 AND o.opportunity_status IN {ACTIVE_OPPORTUNITY_STATUSES}) \
           AS active_opportunities \
         FROM job_postings WHERE user_id = $1"
    );
    sqlx::query_as(&sql)
        .bind(user_id)
        .bind(first)
        .bind(second)
        .fetch_one(db)
        .await
}
