//! Use cases for reports (`GetReport`): postings applied since a time, postings
//! per site, and applications per UTC week.
//!
//! Weeks are bucketed here, in Rust, rather than in SQL: date functions differ
//! between SQLite and PostgreSQL, and the bucketing is a pure function that is
//! easy to test on its boundaries.

use shared::proto::jobsearch::jobs::v1::{self as pb, get_report_request::Report as Asked};

use crate::{
    db::reports::{self, AppliedRow, SiteCountRow},
    domain::{Violations, required_timestamp},
    error::{Error, Result},
    state::AppState,
};

/// Seconds in a day.
const DAY: i64 = 86_400;
/// Seconds in a week.
pub const WEEK: i64 = 7 * DAY;
/// Most rows of the applications-per-week report: about five years, so one
/// request cannot ask for an enormous answer.
pub const MAX_WEEKS: i64 = 262;

/// The Monday 00:00 UTC starting the week that contains `unix_seconds`.
pub fn week_start(unix_seconds: i64) -> i64 {
    // 1970-01-01 was a Thursday, so Mondays fall 3 days after a multiple of
    // a week; `rem_euclid` keeps times before 1970 correct too.
    unix_seconds - (unix_seconds + 3 * DAY).rem_euclid(WEEK)
}

/// A validated report request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportQuery {
    /// Postings applied at or after `since`.
    AppliedSince {
        /// Start, inclusive.
        since: i64,
    },
    /// Postings per site.
    PostingsPerSite,
    /// Applications per week, from the week starting `first_week` through
    /// the one starting `last_week` (both Mondays 00:00 UTC).
    ApplicationsPerWeek {
        /// Start of the oldest week.
        first_week: i64,
        /// Start of the current week.
        last_week: i64,
    },
}

impl ReportQuery {
    /// Checks the request; `now` fixes the current week.
    pub fn parse(request: pb::GetReportRequest, now: i64) -> Result<Self> {
        let mut violations = Violations::default();
        let query = match request.report {
            None => {
                violations.push("report", "must name a report");
                None
            }
            Some(Asked::AppliedSince(asked)) => violations
                .check(
                    "applied_since.since",
                    required_timestamp(asked.since.as_ref()),
                )
                .map(|since| Self::AppliedSince { since }),
            Some(Asked::PostingsPerSite(_)) => Some(Self::PostingsPerSite),
            Some(Asked::ApplicationsPerWeek(asked)) => violations.check(
                "applications_per_week.since",
                required_timestamp(asked.since.as_ref()).and_then(|since| weeks(since, now)),
            ),
        };
        violations.finish()?;
        query.ok_or_else(|| Error::invalid("report", "must name a report"))
    }
}

/// The weeks from the one containing `since` to the one containing `now`.
/// A `since` in a later week than now gives no weeks (an empty report).
fn weeks(since: i64, now: i64) -> Result<ReportQuery, String> {
    let (first_week, last_week) = (week_start(since), week_start(now));
    if (last_week - first_week) / WEEK + 1 > MAX_WEEKS {
        return Err(format!(
            "must be within the last {MAX_WEEKS} weeks (about five years)"
        ));
    }
    Ok(ReportQuery::ApplicationsPerWeek {
        first_week,
        last_week,
    })
}

/// One week of the applications-per-week report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekCount {
    /// Monday 00:00 UTC starting the week.
    pub week_start: i64,
    /// Postings applied in the week.
    pub applications: u32,
}

/// A computed report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// Postings applied since a time, newest application first.
    AppliedSince(Vec<AppliedRow>),
    /// Every site with its counts, by name.
    PostingsPerSite(Vec<SiteCountRow>),
    /// Every week, oldest first, zero weeks included.
    ApplicationsPerWeek(Vec<WeekCount>),
}

/// Buckets `applied` times into the weeks `first_week..=last_week` (oldest
/// first, zero weeks included); times outside those weeks are ignored.
pub fn count_weeks(first_week: i64, last_week: i64, applied: &[i64]) -> Vec<WeekCount> {
    let mut rows: Vec<WeekCount> = (first_week..=last_week)
        .step_by(usize::try_from(WEEK).unwrap_or(usize::MAX))
        .map(|week_start| WeekCount {
            week_start,
            applications: 0,
        })
        .collect();
    for &time in applied {
        let index = usize::try_from((week_start(time) - first_week) / WEEK);
        if let Some(row) = index.ok().and_then(|i| rows.get_mut(i)) {
            row.applications = row.applications.saturating_add(1);
        }
    }
    rows
}

impl AppState {
    /// Computes the report `query` over `user_id`'s data.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn get_report(&self, user_id: &str, query: ReportQuery) -> Result<Report> {
        Ok(match query {
            ReportQuery::AppliedSince { since } => {
                Report::AppliedSince(reports::applied_since(&self.db, user_id, since).await?)
            }
            ReportQuery::PostingsPerSite => {
                Report::PostingsPerSite(reports::postings_per_site(&self.db, user_id).await?)
            }
            ReportQuery::ApplicationsPerWeek {
                first_week,
                last_week,
            } => {
                let until = last_week + WEEK;
                let applied = reports::applied_times(&self.db, user_id, first_week, until).await?;
                Report::ApplicationsPerWeek(count_weeks(first_week, last_week, &applied))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use time::{Date, Month, OffsetDateTime, Weekday};

    use super::*;

    fn at(year: i32, month: Month, day: u8, h: u8, m: u8, s: u8) -> i64 {
        Date::from_calendar_date(year, month, day)
            .unwrap()
            .with_hms(h, m, s)
            .unwrap()
            .assume_utc()
            .unix_timestamp()
    }

    #[test]
    fn weeks_start_on_monday_midnight_utc() {
        // 2024-01-07 is a Sunday; 2024-01-08 a Monday.
        let sunday_last_second = at(2024, Month::January, 7, 23, 59, 59);
        let monday_midnight = at(2024, Month::January, 8, 0, 0, 0);
        assert_eq!(sunday_last_second + 1, monday_midnight);
        assert_eq!(
            week_start(sunday_last_second),
            at(2024, Month::January, 1, 0, 0, 0)
        );
        assert_eq!(week_start(monday_midnight), monday_midnight);
        // A week spanning a new year: Friday 2021-01-01 is in the week of
        // Monday 2020-12-28.
        assert_eq!(
            week_start(at(2021, Month::January, 1, 12, 0, 0)),
            at(2020, Month::December, 28, 0, 0, 0)
        );
        // The epoch, a Thursday, and a time before it.
        assert_eq!(week_start(0), at(1969, Month::December, 29, 0, 0, 0));
        assert_eq!(week_start(-1), at(1969, Month::December, 29, 0, 0, 0));
    }

    #[test]
    fn every_week_start_is_a_monday_midnight_at_or_before_the_time() {
        for time in (1_600_000_000..1_700_000_000).step_by(9_876_543) {
            let start = OffsetDateTime::from_unix_timestamp(week_start(time)).unwrap();
            assert_eq!(start.weekday(), Weekday::Monday);
            assert_eq!((start.hour(), start.minute(), start.second()), (0, 0, 0));
            assert!(week_start(time) <= time && time - week_start(time) < WEEK);
        }
    }

    #[test]
    fn weeks_are_counted_oldest_first_with_zero_weeks() {
        let first = at(2024, Month::January, 1, 0, 0, 0);
        let applied = [
            first,
            at(2024, Month::January, 7, 23, 59, 59),
            at(2024, Month::January, 16, 9, 0, 0),
            first - 1,
            first + 3 * WEEK,
        ];
        let rows = count_weeks(first, first + 2 * WEEK, &applied);
        let counts: Vec<_> = rows
            .iter()
            .map(|r| (r.week_start, r.applications))
            .collect();
        assert_eq!(
            counts,
            [(first, 2), (first + WEEK, 0), (first + 2 * WEEK, 1)]
        );
        assert!(count_weeks(first + WEEK, first, &applied).is_empty());
    }

    #[test]
    fn report_requests_are_checked() {
        let now = at(2025, Month::June, 4, 10, 0, 0);
        let invalid = |request| match ReportQuery::parse(request, now) {
            Err(Error::InvalidArgument(found)) => found[0].0.clone(),
            other => panic!("expected InvalidArgument, got {other:?}"),
        };
        assert_eq!(invalid(pb::GetReportRequest { report: None }), "report");
        let per_week = |seconds| pb::GetReportRequest {
            report: Some(Asked::ApplicationsPerWeek(pb::ApplicationsPerWeekRequest {
                since: Some(shared::timestamp(seconds)),
            })),
        };
        assert_eq!(
            invalid(per_week(now - 6 * 365 * DAY)),
            "applications_per_week.since"
        );
        assert_eq!(
            ReportQuery::parse(per_week(now - 8 * DAY), now).unwrap(),
            ReportQuery::ApplicationsPerWeek {
                first_week: at(2025, Month::May, 26, 0, 0, 0),
                last_week: at(2025, Month::June, 2, 0, 0, 0),
            }
        );
        let since_unset = pb::GetReportRequest {
            report: Some(Asked::AppliedSince(pb::AppliedSinceRequest { since: None })),
        };
        assert_eq!(invalid(since_unset), "applied_since.since");
    }
}
