//! SQL for `GetAnalytics`: aggregates over one user's applications, read
//! from the columns the stage derivation keeps on each posting and
//! opportunity (`applied_at`, `stages_reached`, `next_step_at`: migration
//! 0008), never from the stage history itself, so a call reads one index
//! entry per application.
//!
//! One statement answers a call: it starts from the common table
//! expression `items`:
//! one row per application (a posting or an opportunity whose earliest
//! APPLIED step is inside the window) with its stage bits, the group key,
//! the time spent, whether it is closed and when its next step came (by
//! TAG, one row per tag of the application, or one untagged row), and
//! returns one row per group. Only portable SQL: `CASE`, `COUNT`, `&` on
//! BIGINT, `CAST(... AS BIGINT)` (a bare `SUM` is NUMERIC on PostgreSQL),
//! integer `%` for the weeks and `string_agg(... ORDER BY ...)` (SQLite
//! 3.44+, PostgreSQL 9.0+) for the lists.
//!
//! The lists (each application's seconds to its next step, the weeks'
//! counts) travel as one text value per group, not one row per item:
//! sqlx's SQLite worker hands rows over a channel of 50, and past that
//! each row cost two thread switches, which made a third of an analytics
//! call's time with 2,000 applications (docs/benchmarks-depth.md).

use shared::proto::jobsearch::jobs::v1::{Source, Stage};
use sqlx::{Any, Executor, FromRow, Row as _, any::AnyRow, error::BoxDynError};

use crate::domain::{
    analytics::{GroupBy, STAGES},
    stage::{number, stage_bit},
};

/// Stages that mean the application heard back: ENGAGED, INTERVIEW, OFFER,
/// ACCEPTED, REJECTED.
const RESPONSE_STAGES: [Stage; 5] = [
    Stage::Engaged,
    Stage::Interview,
    Stage::Offer,
    Stage::Accepted,
    Stage::Rejected,
];
/// Closed statuses: posting REJECTED, NO_RESPONSE, WITHDRAWN; opportunity
/// REJECTED, NO_RESPONSE, DECLINED.
const CLOSED_POSTING: &str = "(4, 5, 7)";
const CLOSED_OPPORTUNITY: &str = "(4, 5, 6)";
/// Seconds in a week, and from the epoch (a Thursday) back to a Monday.
const WEEK: i64 = 604_800;
const THURSDAY_TO_MONDAY: i64 = 259_200;

/// A SQL test that an item's stage bits hold any of `stages`.
fn reached_any(stages: &[Stage]) -> String {
    let mask: i64 = stages.iter().map(|s| stage_bit(number(*s))).sum();
    format!("((i.reached & CAST({mask} AS BIGINT)) <> 0)")
}

/// The `WITH` clause every statement starts from. Binds `$1` user id, `$2`
/// window start (inclusive), `$3` window end (exclusive).
fn with_items(group_by: GroupBy) -> String {
    // The group key of a posting and of an opportunity, and the joins for
    // it: by TAG one row per tag, or one with no tag.
    let (posting_key, opportunity_key, posting_tags, opportunity_tags) = match group_by {
        GroupBy::None => (String::from("''"), String::from("''"), "", ""),
        GroupBy::Site => (String::from("p.job_site_id"), String::from("''"), "", ""),
        GroupBy::Source => (source_name("p"), source_name("o"), "", ""),
        GroupBy::Tag => (
            String::from("COALESCE(t.tag_id, '')"),
            String::from("COALESCE(t.tag_id, '')"),
            "LEFT JOIN posting_tags t ON t.user_id = $1 AND t.job_posting_id = p.id",
            "LEFT JOIN opportunity_tags t ON t.user_id = $1 AND t.opportunity_id = o.id",
        ),
    };
    format!(
        "WITH items AS (\
           SELECT p.applied_at, p.stages_reached AS reached, p.next_step_at AS next_at, \
           p.time_spent, CASE WHEN p.posting_status IN {CLOSED_POSTING} THEN 1 ELSE 0 END \
           AS closed, CAST({posting_key} AS TEXT) AS group_key \
           FROM job_postings p {posting_tags} \
           WHERE p.user_id = $1 AND p.applied_at >= $2 AND p.applied_at < $3 \
         UNION ALL \
           SELECT o.applied_at, o.stages_reached, o.next_step_at, CAST(NULL AS BIGINT), \
           CASE WHEN o.opportunity_status IN {CLOSED_OPPORTUNITY} THEN 1 ELSE 0 END, \
           CAST({opportunity_key} AS TEXT) \
           FROM opportunities o {opportunity_tags} \
           WHERE o.user_id = $1 AND o.applied_at >= $2 AND o.applied_at < $3) "
    )
}

/// The Source enum name of the source of the row `alias`, `''` for none
/// stated: the names come from the generated enum, so a new source needs
/// no SQL edit.
fn source_name(alias: &str) -> String {
    let names: String = (1..)
        .map_while(|n| Source::try_from(n).ok())
        .map(|source| format!(" WHEN {} THEN '{}'", source as i32, source.as_str_name()))
        .collect();
    format!("CASE {alias}.source{names} ELSE '' END")
}

/// A group's name from its key, and the join that reads it (once per
/// group: the join comes after the counting).
fn group_name(group_by: GroupBy) -> (&'static str, &'static str) {
    match group_by {
        GroupBy::None => ("''", ""),
        GroupBy::Site => (
            "s.site_name",
            "LEFT JOIN job_sites s ON s.user_id = $1 AND s.id = c.group_key",
        ),
        GroupBy::Source => ("c.group_key", ""),
        GroupBy::Tag => (
            "t.name",
            "LEFT JOIN tags t ON t.user_id = $1 AND t.id = c.group_key",
        ),
    }
}

/// One group's figures, as counted by the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
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
    /// Seconds from each application's first APPLIED step to its next
    /// step, shortest first.
    pub durations: Vec<i64>,
    /// Applications per week start (Monday 00:00 UTC), oldest first;
    /// weeks without applications have none.
    pub weeks: Vec<(i64, i64)>,
}

impl<'r> FromRow<'r, AnyRow> for GroupRow {
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
            durations: list(row, "durations", |item| Ok(item.parse()?))?,
            weeks: list(row, "weeks", |item| {
                let (week, count) = item.split_once(':').ok_or("no ':' in a week")?;
                Ok((week.parse()?, count.parse()?))
            })?,
        })
    }
}

/// The items of the comma-separated list in `column` (NULL: none).
fn list<T>(
    row: &AnyRow,
    column: &str,
    item: impl Fn(&str) -> Result<T, BoxDynError>,
) -> sqlx::Result<Vec<T>> {
    let text: Option<String> = row.try_get(column)?;
    text.iter()
        .flat_map(|text| text.split(','))
        .map(|text| {
            item(text).map_err(|source| sqlx::Error::ColumnDecode {
                index: column.to_owned(),
                source,
            })
        })
        .collect()
}

/// Every figure of `user_id`'s applications dated in `[start, end)`, one
/// row per group that has any. The outcome counts partition `applied`:
/// heard back; else ghosted; else still open (waiting); else withdrawn.
pub async fn groups(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    (start, end): (i64, i64),
    group_by: GroupBy,
) -> sqlx::Result<Vec<GroupRow>> {
    let reached: String = STAGES
        .iter()
        .map(|stage| {
            let test = reached_any(&[*stage]);
            let n = *stage as i32;
            format!(", COUNT(CASE WHEN {test} THEN 1 END) AS reached_{n}")
        })
        .collect();
    let responded = reached_any(&RESPONSE_STAGES);
    let ghosted = reached_any(&[Stage::NoResponse]);
    let (name, name_join) = group_name(group_by);
    // Times are never negative (the domain refuses times before 1970), so
    // `%` (which keeps the dividend's sign on both backends) is a modulo.
    let week_start = format!("applied_at - ((applied_at + {THURSDAY_TO_MONDAY}) % {WEEK})");
    let sql = format!(
        "{}, counts AS (SELECT i.group_key, \
           COUNT(*) AS applied, \
           COUNT(CASE WHEN {responded} THEN 1 END) AS responded, \
           COUNT(CASE WHEN NOT {responded} AND {ghosted} THEN 1 END) AS ghosted, \
           COUNT(CASE WHEN NOT {responded} AND NOT {ghosted} AND i.closed = 0 THEN 1 END) \
             AS waiting, \
           COUNT(CASE WHEN NOT {responded} AND NOT {ghosted} AND i.closed = 1 THEN 1 END) \
             AS withdrawn, \
           COUNT(i.next_at) AS with_next_step, \
           CAST(COALESCE(SUM(i.time_spent), 0) AS BIGINT) AS time_spent, \
           string_agg(CAST(i.next_at - i.applied_at AS TEXT), ',' \
             ORDER BY i.next_at - i.applied_at) AS durations\
           {reached} \
           FROM items i GROUP BY i.group_key), \
         weeks AS (SELECT group_key, {week_start} AS week_start, COUNT(*) AS applications \
           FROM items GROUP BY group_key, {week_start}), \
         week_lists AS (SELECT group_key, string_agg(CAST(week_start AS TEXT) || ':' || \
           CAST(applications AS TEXT), ',' ORDER BY week_start) AS weeks \
           FROM weeks GROUP BY group_key) \
         SELECT c.*, w.weeks, COALESCE({name}, '') AS group_name \
         FROM counts c JOIN week_lists w ON w.group_key = c.group_key {name_join}",
        with_items(group_by)
    );
    sqlx::query_as(&sql)
        .bind(user_id)
        .bind(start)
        .bind(end)
        .fetch_all(db)
        .await
}
