//! `GetAnalytics` (docs/tracking-model.md, "Analytics"): the request's
//! checks, and the figures the database's counts become. The database
//! counts; this module only divides, takes percentiles of the sorted
//! durations it returns and numbers the weeks, so every rule is a pure
//! function tested here.

use shared::proto::jobsearch::jobs::v1::{self as pb, AnalyticsGroupBy, Stage};

use super::{Violations, enum_value, timestamp};
use crate::error::{Error, Result};

/// Every stage of the funnel, in enum order.
pub const STAGES: [Stage; 10] = [
    Stage::Open,
    Stage::Applied,
    Stage::Engaged,
    Stage::Interview,
    Stage::AwaitingFeedback,
    Stage::Offer,
    Stage::Accepted,
    Stage::Rejected,
    Stage::NoResponse,
    Stage::Withdrawn,
];

const DAY: f64 = 86_400.0;

/// How the figures are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// Overall figures only.
    None,
    /// Per job site too (opportunities in one group with an empty key).
    Site,
    /// Per source too (none stated: one group with an empty key).
    Source,
    /// Per tag too, overlapping (untagged: one group with an empty key).
    Tag,
}

/// A validated `GetAnalytics` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalyticsQuery {
    /// Applications dated at or after this (`i64::MIN`: no bound).
    pub start: i64,
    /// Applications dated before this (`i64::MAX`: no bound).
    pub end: i64,
    /// The split asked for.
    pub group_by: GroupBy,
}

impl AnalyticsQuery {
    /// Checks the window and the grouping, reporting every violation at once.
    pub fn parse(raw: &pb::GetAnalyticsRequest) -> Result<Self> {
        let mut violations = Violations::default();
        let start = violations.check("start", timestamp(raw.start.as_ref()));
        let end = violations.check("end", timestamp(raw.end.as_ref()));
        let group_by = violations.check(
            "group_by",
            enum_value(raw.group_by, Some(AnalyticsGroupBy::None)),
        );
        violations.finish()?;
        let (start, end) = (start.flatten(), end.flatten());
        if let (Some(start), Some(end)) = (start, end)
            && start >= end
        {
            return Err(Error::invalid("end", "must be after start"));
        }
        Ok(Self {
            start: start.unwrap_or(i64::MIN),
            end: end.unwrap_or(i64::MAX),
            group_by: match group_by {
                Some(AnalyticsGroupBy::Site) => GroupBy::Site,
                Some(AnalyticsGroupBy::Source) => GroupBy::Source,
                Some(AnalyticsGroupBy::Tag) => GroupBy::Tag,
                _ => GroupBy::None,
            },
        })
    }
}

/// The `p` quantile (0-1) of ascending `sorted` values, interpolated
/// linearly between the two nearest ranks: rank `h = (n - 1) * p` from 0,
/// value `x[floor h] + (h - floor h) * (x[floor h + 1] - x[floor h])`
/// (Hyndman and Fan's type 7, as PostgreSQL's `percentile_cont` and
/// spreadsheets' PERCENTILE.INC). 0 for no values, never NaN.
pub fn percentile(sorted: &[i64], p: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return 0.0;
    };
    let rank = last as f64 * p.clamp(0.0, 1.0);
    // 0 <= rank <= last, so the truncation is exact.
    let below = rank.floor() as usize;
    let value = |i: usize| sorted.get(i.min(last)).copied().unwrap_or_default() as f64;
    value(below) + (rank - rank.floor()) * (value(below + 1) - value(below))
}

/// `part / whole`, 0 when `whole` is 0 (never NaN).
pub fn rate(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        return 0.0;
    }
    part as f64 / whole as f64
}

/// Seconds as days.
pub fn days(seconds: f64) -> f64 {
    seconds / DAY
}

/// The ISO 8601 week-numbering year and week of the week starting at
/// `week_start` (a Monday 00:00 UTC); `(0, 0)` outside the calendar.
pub fn iso_week(week_start: i64) -> (i32, i32) {
    time::OffsetDateTime::from_unix_timestamp(week_start)
        .map(|t| {
            let (year, week, _) = t.to_iso_week_date();
            (year, i32::from(week))
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_the_nearest_ranks() {
        assert_eq!(percentile(&[], 0.5), 0.0);
        assert_eq!(percentile(&[7], 0.5), 7.0);
        assert_eq!(percentile(&[7], 0.75), 7.0);
        // Even count: the median is halfway between the middle two.
        assert_eq!(percentile(&[1, 2, 3, 4], 0.5), 2.5);
        // Rank (4 - 1) * 0.75 = 2.25: a quarter of the way from 3 to 4.
        assert_eq!(percentile(&[1, 2, 3, 4], 0.75), 3.25);
        assert_eq!(percentile(&[0, 10, 20, 30, 40], 0.75), 30.0);
        assert_eq!(percentile(&[2, 4], 0.0), 2.0);
        assert_eq!(percentile(&[2, 4], 1.0), 4.0);
    }

    #[test]
    fn rates_of_nothing_are_zero_not_nan() {
        assert_eq!(rate(0, 0), 0.0);
        assert_eq!(rate(1, 4), 0.25);
    }

    #[test]
    fn weeks_are_numbered_the_iso_way() {
        // Monday 2020-12-28 starts 2020-W53; Monday 2021-01-04 2021-W01;
        // Monday 2024-12-30 starts 2025-W01.
        assert_eq!(iso_week(1_609_113_600), (2020, 53));
        assert_eq!(iso_week(1_609_718_400), (2021, 1));
        assert_eq!(iso_week(1_735_516_800), (2025, 1));
    }

    #[test]
    fn the_window_must_be_sane_and_ordered() {
        let request = |start: Option<i64>, end: Option<i64>, group_by: i32| {
            AnalyticsQuery::parse(&pb::GetAnalyticsRequest {
                start: start.map(shared::timestamp),
                end: end.map(shared::timestamp),
                group_by,
            })
        };
        let field = |result: Result<AnalyticsQuery>| -> Vec<String> {
            match result {
                Err(Error::InvalidArgument(found)) => found.into_iter().map(|(f, _)| f).collect(),
                other => panic!("expected InvalidArgument, got {other:?}"),
            }
        };
        assert_eq!(field(request(Some(5), Some(5), 0)), ["end"]);
        assert_eq!(field(request(Some(-1), None, 9)), ["start", "group_by"]);
        let all_time = request(None, None, 0).unwrap();
        assert_eq!((all_time.start, all_time.end), (i64::MIN, i64::MAX));
        assert_eq!(all_time.group_by, GroupBy::None);
        assert_eq!(request(Some(1), None, 2).unwrap().group_by, GroupBy::Site);
        assert_eq!(request(None, None, 3).unwrap().group_by, GroupBy::Source);
        assert_eq!(request(None, None, 4).unwrap().group_by, GroupBy::Tag);
    }
}
