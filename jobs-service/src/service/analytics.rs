//! Use case for `GetAnalytics`: the database's counts, durations and weeks
//! (`db::analytics`) for the whole window and, if asked, per group, read in
//! one statement (two for TAG, in one transaction) and turned into figures
//! (`domain::analytics`).

use std::collections::BTreeMap;

use crate::{
    db::{
        Tx,
        analytics::{self, GroupRow},
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
        let (whole, groups) = match query.group_by {
            GroupBy::None => (
                only(fetch(&mut tx, user_id, window, GroupBy::None).await?),
                BTreeMap::new(),
            ),
            // Each application is in exactly one site and one source, so the
            // groups add up to the whole: one pass serves both.
            by @ (GroupBy::Site | GroupBy::Source) => {
                let groups = fetch(&mut tx, user_id, window, by).await?;
                (Raw::sum(groups.values().map(|(_, raw)| raw)), groups)
            }
            // Tags overlap (and may be none): the whole is counted apart.
            GroupBy::Tag => (
                only(fetch(&mut tx, user_id, window, GroupBy::None).await?),
                fetch(&mut tx, user_id, window, GroupBy::Tag).await?,
            ),
        };
        tx.commit().await?;
        let overall = whole.figures();
        let mut groups: Vec<Group> = groups
            .into_iter()
            .map(|(key, (name, raw))| Group {
                key,
                name,
                figures: raw.figures(),
            })
            .collect();
        // Sorted here, not by ORDER BY: PostgreSQL sorts text by its locale
        // and SQLite by bytes, and the answer must not depend on the backend.
        groups.sort_by(|a, b| (&a.name, &a.key).cmp(&(&b.name, &b.key)));
        Ok(Analytics { overall, groups })
    }
}

/// What the database returns for one group, before it becomes figures.
#[derive(Debug, Default)]
struct Raw {
    counts: Counts,
    /// Seconds to the next step, shortest first.
    durations: Vec<i64>,
    /// Applications per week start.
    weeks: BTreeMap<i64, i64>,
}

impl Raw {
    /// The raw data of disjoint groups taken together.
    fn sum<'a>(groups: impl Iterator<Item = &'a Raw>) -> Raw {
        let mut whole = Raw::default();
        for raw in groups {
            let (sum, part) = (&mut whole.counts, &raw.counts);
            sum.applied += part.applied;
            sum.responded += part.responded;
            sum.ghosted += part.ghosted;
            sum.waiting += part.waiting;
            sum.withdrawn += part.withdrawn;
            sum.with_next_step += part.with_next_step;
            sum.time_spent += part.time_spent;
            sum.reached
                .resize(sum.reached.len().max(part.reached.len()), 0);
            for (total, n) in sum.reached.iter_mut().zip(&part.reached) {
                *total += n;
            }
            whole.durations.extend(&raw.durations);
            for (week, n) in &raw.weeks {
                *whole.weeks.entry(*week).or_default() += n;
            }
        }
        whole.durations.sort_unstable();
        whole
    }

    /// The figures: rates, percentiles of the sorted durations, ISO weeks.
    fn figures(self) -> Figures {
        let counts = self.counts;
        Figures {
            response_rate: rate(counts.responded, counts.applied),
            ghosting_rate: rate(counts.ghosted, counts.applied),
            median_days: days(percentile(&self.durations, 0.5)),
            p75_days: days(percentile(&self.durations, 0.75)),
            weeks: self
                .weeks
                .into_iter()
                .map(|(week_start, applications)| Week {
                    week_start,
                    iso: iso_week(week_start),
                    applications,
                })
                .collect(),
            counts,
        }
    }
}

/// The one group of an ungrouped fetch (none: no applications).
fn only(groups: BTreeMap<String, (String, Raw)>) -> Raw {
    groups
        .into_values()
        .next()
        .map(|(_, raw)| raw)
        .unwrap_or_default()
}

/// The raw data of every group that has applications, by key, with names.
async fn fetch(
    tx: &mut Tx,
    user_id: &str,
    window: (i64, i64),
    by: GroupBy,
) -> Result<BTreeMap<String, (String, Raw)>> {
    let rows = analytics::groups(&mut **tx, user_id, window, by).await?;
    Ok(rows
        .into_iter()
        .map(|mut row| {
            let key = std::mem::take(&mut row.group_key);
            let name = std::mem::take(&mut row.group_name);
            (key, (name, Raw::from(row)))
        })
        .collect())
}

impl From<GroupRow> for Raw {
    fn from(row: GroupRow) -> Self {
        Self {
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
            durations: row.durations,
            weeks: row.weeks.into_iter().collect(),
        }
    }
}
