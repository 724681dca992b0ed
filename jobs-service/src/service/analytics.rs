//! Use case for `GetAnalytics`: the database's counts, durations and weeks
//! (`db::analytics`) for the whole window and, if asked, per group, read in
//! one transaction and turned into figures (`domain::analytics`).

use std::collections::BTreeMap;

use crate::{
    db::{
        Tx,
        analytics::{self, CountsRow},
    },
    domain::analytics::{AnalyticsQuery, GroupBy, days, iso_week, percentile, rate},
    error::Result,
    state::AppState,
};

/// Applications in one week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    /// Monday 00:00 UTC starting it.
    pub week_start: i64,
    /// Its ISO 8601 year and week number.
    pub iso: (i32, i32),
    /// Applications dated in it.
    pub applications: i64,
}

/// The figures over one set of applications.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figures {
    /// The database's counts (zeros for an empty set).
    pub counts: Counts,
    /// responded / applied.
    pub response_rate: f64,
    /// ghosted / applied.
    pub ghosting_rate: f64,
    /// Median days from the first APPLIED step to the next step.
    pub median_days: f64,
    /// 75th percentile of the same.
    pub p75_days: f64,
    /// Applications per week, oldest first, non-empty weeks only.
    pub weeks: Vec<Week>,
}

/// The counts of one set of applications.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts {
    /// Applications in the set.
    pub applied: i64,
    /// Of those, the ones that heard back.
    pub responded: i64,
    /// Marked NO_RESPONSE without hearing back.
    pub ghosted: i64,
    /// Neither, and not closed.
    pub waiting: i64,
    /// Neither, closed by the applicant.
    pub withdrawn: i64,
    /// With a step after the first APPLIED one.
    pub with_next_step: i64,
    /// Minutes spent, summed.
    pub time_spent: i64,
    /// Applications that reached each stage of `domain::analytics::STAGES`,
    /// in that order (empty for an empty set: read missing ones as 0).
    pub reached: Vec<i64>,
}

/// One group's key, name and figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Its key: for SITE the site id (empty for opportunities), for SOURCE
    /// the Source enum name, for TAG the tag id (empty: none).
    pub key: String,
    /// Its name: the site's name, the Source enum name or the tag's name.
    pub name: String,
    /// Its figures.
    pub figures: Figures,
}

/// What `GetAnalytics` answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Analytics {
    /// Over every application in the window.
    pub overall: Figures,
    /// Per group, by name then key; empty without grouping.
    pub groups: Vec<Group>,
}

impl AppState {
    /// Computes `user_id`'s analytics for `query`.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn get_analytics(&self, user_id: &str, query: AnalyticsQuery) -> Result<Analytics> {
        let window = (query.start, query.end);
        // One transaction: on SQLite one snapshot for every statement.
        let mut tx = self.db.begin().await?;
        let overall = grouped(&mut tx, user_id, window, GroupBy::None)
            .await?
            .into_values()
            .next()
            .map(|(_, figures)| figures)
            .unwrap_or_default();
        let mut groups: Vec<Group> = match query.group_by {
            GroupBy::None => Vec::new(),
            by => grouped(&mut tx, user_id, window, by)
                .await?
                .into_iter()
                .map(|(key, (name, figures))| Group { key, name, figures })
                .collect(),
        };
        tx.commit().await?;
        // Sorted here, not by ORDER BY: PostgreSQL sorts text by its locale
        // and SQLite by bytes, and the answer must not depend on the backend.
        groups.sort_by(|a, b| (&a.name, &a.key).cmp(&(&b.name, &b.key)));
        Ok(Analytics { overall, groups })
    }
}

/// The figures of every group that has applications, by key, with names.
async fn grouped(
    tx: &mut Tx,
    user_id: &str,
    window: (i64, i64),
    by: GroupBy,
) -> Result<BTreeMap<String, (String, Figures)>> {
    let counts = analytics::counts(&mut **tx, user_id, window, by).await?;
    let durations = analytics::durations(&mut **tx, user_id, window, by).await?;
    let weeks = analytics::weeks(&mut **tx, user_id, window, by).await?;
    let mut sorted: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (key, seconds) in durations {
        // Rows come shortest first, so each group's list stays sorted.
        sorted.entry(key).or_default().push(seconds);
    }
    let mut per_week: BTreeMap<String, Vec<Week>> = BTreeMap::new();
    for (key, week_start, applications) in weeks {
        per_week.entry(key).or_default().push(Week {
            week_start,
            iso: iso_week(week_start),
            applications,
        });
    }
    Ok(counts
        .into_iter()
        .map(|row| {
            let key = row.group_key.clone();
            let durations = sorted.remove(&key).unwrap_or_default();
            let weeks = per_week.remove(&key).unwrap_or_default();
            let name = row.group_name.clone();
            (key, (name, figures(row, &durations, weeks)))
        })
        .collect())
}

/// One group's figures from its counts, sorted durations and weeks.
fn figures(row: CountsRow, durations: &[i64], weeks: Vec<Week>) -> Figures {
    Figures {
        response_rate: rate(row.responded, row.applied),
        ghosting_rate: rate(row.ghosted, row.applied),
        median_days: days(percentile(durations, 0.5)),
        p75_days: days(percentile(durations, 0.75)),
        weeks,
        counts: Counts {
            applied: row.applied,
            responded: row.responded,
            ghosted: row.ghosted,
            waiting: row.waiting,
            withdrawn: row.withdrawn,
            with_next_step: row.with_next_step,
            time_spent: row.time_spent,
            reached: row.reached,
        },
    }
}
