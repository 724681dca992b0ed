//! SQL for `GetAnalytics`: aggregates over one user's stage history, joined
//! to the postings (site, source, time spent, status), opportunities
//! (source, status) and, to group by tag, their tag links.
//!
//! Every statement starts from the same two common table expressions:
//! `apps`, one row per application (a posting or an opportunity with an
//! APPLIED step, dated by its earliest one, inside the window) with a 0/1
//! flag per stage it ever reached, and `items`, which adds the group key,
//! the time spent, whether it is closed and when its next step came (by
//! TAG, one row per tag of the application, or one untagged row). Only
//! portable SQL: `CASE`, `COUNT`, `MIN`/`MAX`, `CAST(... AS BIGINT)` (a bare
//! `SUM` is NUMERIC on PostgreSQL) and integer `%` for the weeks.

use shared::proto::jobsearch::jobs::v1::Source;
use sqlx::{Any, Executor, FromRow, Row as _, any::AnyRow};

use crate::domain::analytics::{GroupBy, STAGES};

/// Stages that mean the application heard back: ENGAGED, INTERVIEW, OFFER,
/// ACCEPTED, REJECTED.
const RESPONSE_STAGES: &str = "(3, 4, 6, 7, 8)";
/// NO_RESPONSE.
const GHOSTED_STAGE: i64 = 9;
/// APPLIED.
const APPLIED_STAGE: i64 = 2;
/// Closed statuses: posting REJECTED, NO_RESPONSE, WITHDRAWN; opportunity
/// REJECTED, NO_RESPONSE, DECLINED.
const CLOSED_POSTING: &str = "(4, 5, 7)";
const CLOSED_OPPORTUNITY: &str = "(4, 5, 6)";
/// Seconds in a week, and from the epoch (a Thursday) back to a Monday.
const WEEK: i64 = 604_800;
const THURSDAY_TO_MONDAY: i64 = 259_200;

/// The `WITH` clause every statement starts from. Binds `$1` user id, `$2`
/// window start (inclusive), `$3` window end (exclusive).
fn with_items(group_by: GroupBy) -> String {
    let (group_key, tag_links) = match group_by {
        GroupBy::None => ("CAST('' AS TEXT)".to_owned(), ""),
        GroupBy::Site => ("COALESCE(p.job_site_id, '')".to_owned(), ""),
        GroupBy::Source => (source_name(), ""),
        // An application is a posting or an opportunity, so at most one of
        // the two joins matches: one row per tag, or one with no tag.
        GroupBy::Tag => (
            "COALESCE(pt.tag_id, ot.tag_id, '')".to_owned(),
            "LEFT JOIN posting_tags pt ON pt.user_id = $1 \
               AND pt.job_posting_id = a.job_posting_id \
             LEFT JOIN opportunity_tags ot ON ot.user_id = $1 \
               AND ot.opportunity_id = a.opportunity_id",
        ),
    };
    let reached: String = STAGES
        .iter()
        .map(|stage| {
            let n = *stage as i32;
            format!(", MAX(CASE WHEN e.stage = {n} THEN 1 ELSE 0 END) AS reached_{n}")
        })
        .collect();
    let applied = format!("MIN(CASE WHEN e.stage = {APPLIED_STAGE} THEN e.occurred_at END)");
    // One subquery per parent column, not one with `job_posting_id = ..
    // OR opportunity_id = ..`: SQLite planned that OR as a scan of all the
    // user's events per application once the joins beside it were unused
    // (2.4 s for 2,000 postings); each equality uses its parent's index.
    let after = format!(
        "(x.occurred_at > a.applied_at \
         OR (x.occurred_at = a.applied_at AND x.stage <> {APPLIED_STAGE}))"
    );
    format!(
        "WITH apps AS (\
           SELECT e.job_posting_id, e.opportunity_id, {applied} AS applied_at, \
           MAX(CASE WHEN e.stage IN {RESPONSE_STAGES} THEN 1 ELSE 0 END) AS responded, \
           MAX(CASE WHEN e.stage = {GHOSTED_STAGE} THEN 1 ELSE 0 END) AS ghosted\
           {reached} \
           FROM stage_events e WHERE e.user_id = $1 \
           GROUP BY e.job_posting_id, e.opportunity_id \
           HAVING {applied} >= $2 AND {applied} < $3), \
         items AS (\
           SELECT a.*, {group_key} AS group_key, p.time_spent, \
           CASE WHEN p.posting_status IN {CLOSED_POSTING} \
             OR o.opportunity_status IN {CLOSED_OPPORTUNITY} THEN 1 ELSE 0 END AS closed, \
           CASE WHEN a.job_posting_id IS NOT NULL \
             THEN (SELECT MIN(x.occurred_at) FROM stage_events x WHERE x.user_id = $1 \
               AND x.job_posting_id = a.job_posting_id AND {after}) \
             ELSE (SELECT MIN(x.occurred_at) FROM stage_events x WHERE x.user_id = $1 \
               AND x.opportunity_id = a.opportunity_id AND {after}) END AS next_at \
           FROM apps a \
           LEFT JOIN job_postings p ON p.user_id = $1 AND p.id = a.job_posting_id \
           LEFT JOIN opportunities o ON o.user_id = $1 AND o.id = a.opportunity_id \
           {tag_links}) "
    )
}

/// The Source enum name of the item's source, `''` for none stated: the
/// names come from the generated enum, so a new source needs no SQL edit.
fn source_name() -> String {
    let names: String = (1..)
        .map_while(|n| Source::try_from(n).ok())
        .map(|source| format!(" WHEN {} THEN '{}'", source as i32, source.as_str_name()))
        .collect();
    format!("CASE COALESCE(p.source, o.source){names} ELSE '' END")
}

/// A group's name from its key, and the join that reads it.
fn group_name(group_by: GroupBy) -> (&'static str, &'static str) {
    match group_by {
        GroupBy::None | GroupBy::Site => (
            "s.site_name",
            "LEFT JOIN job_sites s ON s.user_id = $1 AND s.id = i.group_key",
        ),
        GroupBy::Source => ("i.group_key", ""),
        GroupBy::Tag => (
            "t.name",
            "LEFT JOIN tags t ON t.user_id = $1 AND t.id = i.group_key",
        ),
    }
}

/// The counts of one group, as counted by the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountsRow {
    pub group_key: String,
    pub group_name: String,
    pub applied: i64,
    pub responded: i64,
    pub ghosted: i64,
    pub waiting: i64,
    pub withdrawn: i64,
    pub with_next_step: i64,
    pub time_spent: i64,
    /// Applications that reached each of [`STAGES`], in that order.
    pub reached: Vec<i64>,
}

impl<'r> FromRow<'r, AnyRow> for CountsRow {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        let reached = STAGES
            .iter()
            .map(|stage| row.try_get(format!("reached_{}", *stage as i32).as_str()))
            .collect::<sqlx::Result<_>>()?;
        Ok(Self {
            group_key: row.try_get("group_key")?,
            group_name: row.try_get("group_name")?,
            applied: row.try_get("applied")?,
            responded: row.try_get("responded")?,
            ghosted: row.try_get("ghosted")?,
            waiting: row.try_get("waiting")?,
            withdrawn: row.try_get("withdrawn")?,
            with_next_step: row.try_get("with_next_step")?,
            time_spent: row.try_get("time_spent")?,
            reached,
        })
    }
}

/// The counts of `user_id`'s applications dated in `[start, end)`, one row
/// per group that has any. The outcome counts partition `applied`: heard
/// back; else ghosted; else still open (waiting); else withdrawn.
pub async fn counts(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    (start, end): (i64, i64),
    group_by: GroupBy,
) -> sqlx::Result<Vec<CountsRow>> {
    let reached: String = STAGES
        .iter()
        .map(|stage| {
            let n = *stage as i32;
            format!(", COUNT(CASE WHEN i.reached_{n} = 1 THEN 1 END) AS reached_{n}")
        })
        .collect();
    let (name, name_join) = group_name(group_by);
    let sql = format!(
        "{} SELECT i.group_key, COALESCE({name}, '') AS group_name, \
         COUNT(*) AS applied, \
         COUNT(CASE WHEN i.responded = 1 THEN 1 END) AS responded, \
         COUNT(CASE WHEN i.responded = 0 AND i.ghosted = 1 THEN 1 END) AS ghosted, \
         COUNT(CASE WHEN i.responded = 0 AND i.ghosted = 0 AND i.closed = 0 THEN 1 END) \
           AS waiting, \
         COUNT(CASE WHEN i.responded = 0 AND i.ghosted = 0 AND i.closed = 1 THEN 1 END) \
           AS withdrawn, \
         COUNT(i.next_at) AS with_next_step, \
         CAST(COALESCE(SUM(i.time_spent), 0) AS BIGINT) AS time_spent\
         {reached} \
         FROM items i {name_join} \
         GROUP BY i.group_key, {name}",
        with_items(group_by)
    );
    sqlx::query_as(&sql)
        .bind(user_id)
        .bind(start)
        .bind(end)
        .fetch_all(db)
        .await
}

/// The seconds from each application's first APPLIED step to its next
/// step, with its group, shortest first.
pub async fn durations(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    (start, end): (i64, i64),
    group_by: GroupBy,
) -> sqlx::Result<Vec<(String, i64)>> {
    let sql = format!(
        "{} SELECT group_key, next_at - applied_at AS seconds FROM items \
         WHERE next_at IS NOT NULL ORDER BY seconds",
        with_items(group_by)
    );
    sqlx::query_as(&sql)
        .bind(user_id)
        .bind(start)
        .bind(end)
        .fetch_all(db)
        .await
}

/// Applications per week (Monday 00:00 UTC) and group, oldest week first;
/// weeks without applications have no row.
pub async fn weeks(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    (start, end): (i64, i64),
    group_by: GroupBy,
) -> sqlx::Result<Vec<(String, i64, i64)>> {
    // Times are never negative (the domain refuses times before 1970), so
    // `%` (which keeps the dividend's sign on both backends) is a modulo.
    let week_start = format!("applied_at - ((applied_at + {THURSDAY_TO_MONDAY}) % {WEEK})");
    let sql = format!(
        "{} SELECT group_key, {week_start} AS week_start, COUNT(*) AS applications \
         FROM items GROUP BY group_key, {week_start} ORDER BY week_start",
        with_items(group_by)
    );
    sqlx::query_as(&sql)
        .bind(user_id)
        .bind(start)
        .bind(end)
        .fetch_all(db)
        .await
}
