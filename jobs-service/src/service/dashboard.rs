//! Use cases for the dashboard (`GetDashboard`): posting counters over two
//! reference dates, plus the active postings and opportunities.

use shared::proto::jobsearch::jobs::v1 as pb;

use crate::{
    db::reports::{self, DashboardRow},
    domain::{Violations, timestamp},
    error::{Error, Result},
    state::AppState,
};

/// Default first reference date: this long before now (30 days).
pub const DEFAULT_FIRST_AGE: i64 = 30 * 86_400;
/// Default second reference date: this long before now (7 days).
pub const DEFAULT_SECOND_AGE: i64 = 7 * 86_400;

/// The validated reference dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DashboardQuery {
    /// First reference time, Unix seconds.
    pub first_date: i64,
    /// Second reference time, Unix seconds.
    pub second_date: i64,
}

impl DashboardQuery {
    /// Checks the dates, defaulting unset ones relative to `now`. Only two
    /// explicit dates must be in order: a single explicit date may land on
    /// either side of the other's default (the period between is then empty).
    pub fn parse(request: &pb::GetDashboardRequest, now: i64) -> Result<Self> {
        let mut violations = Violations::default();
        let first = violations.check("first_date", timestamp(request.first_date.as_ref()));
        let second = violations.check("second_date", timestamp(request.second_date.as_ref()));
        violations.finish()?;
        let (first, second) = (first.flatten(), second.flatten());
        if let (Some(first), Some(second)) = (first, second)
            && first > second
        {
            return Err(Error::invalid(
                "first_date",
                "must not be after second_date",
            ));
        }
        Ok(Self {
            first_date: first.unwrap_or(now - DEFAULT_FIRST_AGE),
            second_date: second.unwrap_or(now - DEFAULT_SECOND_AGE),
        })
    }
}

/// Postings applied in one period, and how many of them got a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodCounts {
    /// Postings applied in the period.
    pub postings: i64,
    /// Of those, the ones neither REJECTED nor NO_RESPONSE.
    pub responses: i64,
}

/// The computed dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dashboard {
    /// The dates used.
    pub query: DashboardQuery,
    /// Applied at or after the first date.
    pub since_first_date: PeriodCounts,
    /// Applied at or after the first date and before the second.
    pub between_dates: PeriodCounts,
    /// Applied at or after the second date.
    pub since_second_date: PeriodCounts,
    /// Postings actively engaged or awaiting feedback.
    pub active_postings: i64,
    /// Opportunities actively engaged or awaiting feedback.
    pub active_opportunities: i64,
}

impl From<(DashboardQuery, DashboardRow)> for Dashboard {
    fn from((query, row): (DashboardQuery, DashboardRow)) -> Self {
        let period = |postings, responses| PeriodCounts {
            postings,
            responses,
        };
        Self {
            query,
            since_first_date: period(row.since_first, row.since_first_responses),
            between_dates: period(row.between_dates, row.between_responses),
            since_second_date: period(row.since_second, row.since_second_responses),
            active_postings: row.active_postings,
            active_opportunities: row.active_opportunities,
        }
    }
}

impl AppState {
    /// Computes the dashboard over `user_id`'s postings and opportunities.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn get_dashboard(&self, user_id: &str, query: DashboardQuery) -> Result<Dashboard> {
        let row =
            reports::dashboard(&self.db, user_id, query.first_date, query.second_date).await?;
        Ok(Dashboard::from((query, row)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_750_000_000;

    fn request(first: Option<i64>, second: Option<i64>) -> pb::GetDashboardRequest {
        pb::GetDashboardRequest {
            first_date: first.map(shared::timestamp),
            second_date: second.map(shared::timestamp),
        }
    }

    #[test]
    fn unset_dates_default_to_thirty_and_seven_days_ago() {
        let query = DashboardQuery::parse(&request(None, None), NOW).unwrap();
        assert_eq!(query.first_date, NOW - 30 * 86_400);
        assert_eq!(query.second_date, NOW - 7 * 86_400);
        let query = DashboardQuery::parse(&request(Some(5), None), NOW).unwrap();
        assert_eq!((query.first_date, query.second_date), (5, NOW - 7 * 86_400));
    }

    #[test]
    fn explicit_dates_must_be_sane_and_in_order() {
        assert!(DashboardQuery::parse(&request(Some(10), Some(10)), NOW).is_ok());
        let out_of_order = DashboardQuery::parse(&request(Some(11), Some(10)), NOW);
        assert!(matches!(out_of_order, Err(Error::InvalidArgument(_))));
        let before_1970 = DashboardQuery::parse(&request(Some(-1), None), NOW);
        assert!(matches!(before_1970, Err(Error::InvalidArgument(_))));
    }
}
