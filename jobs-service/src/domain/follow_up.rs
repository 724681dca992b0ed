//! Follow-up rules: when a posting or an opportunity needs chasing, from
//! the last step of its history. Computed wherever the stage columns are
//! derived (`stage::derive`), so it never disagrees with the history; a
//! later step of any other kind clears it.

use shared::proto::jobsearch::jobs::v1::{self as pb, DueWindow, Stage};

use super::{Value, Violations, enum_value, stage_event::decode_position};
use jiff::{Timestamp, civil::Weekday, tz::TimeZone};

use crate::{
    error::{Error, Result},
    paging::Page,
};

const DAY: i64 = 86_400;

/// Days after a step when a follow-up falls due (0: never), from
/// `JOBS_FOLLOW_UP_AFTER_APPLIED_DAYS` / `..._INTERVIEW_DAYS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUpRules {
    /// After APPLIED.
    pub after_applied_days: i64,
    /// After INTERVIEW or AWAITING_FEEDBACK.
    pub after_interview_days: i64,
}

impl Default for FollowUpRules {
    /// The defaults of the configuration (and of migration 0003's back-fill).
    fn default() -> Self {
        Self {
            after_applied_days: 7,
            after_interview_days: 5,
        }
    }
}

impl FollowUpRules {
    /// When a history whose last step is `stage` at `at` is due, if ever.
    pub fn due(&self, stage: Stage, at: i64) -> Option<i64> {
        let days = match stage {
            Stage::Applied => self.after_applied_days,
            Stage::Interview | Stage::AwaitingFeedback => self.after_interview_days,
            _ => 0,
        };
        (days > 0).then(|| at + days * DAY)
    }
}

/// The columns a user-set follow-up date writes: the date and the flag
/// that keeps the rules off it; clearing it (`None`) hands it back to the
/// rules, which the service then applies.
pub fn manual_columns(at: Option<i64>) -> [(&'static str, Value); 2] {
    [
        ("follow_up_at", at.into()),
        ("follow_up_manual", i64::from(at.is_some()).into()),
    ]
}

/// Whether validated `columns` clear a user-set follow-up date, so the
/// history must be derived again to restore the rules' date.
pub fn hands_back_to_rules(columns: &[(&'static str, Value)]) -> bool {
    columns.contains(&("follow_up_manual", Value::Int(0)))
}

/// The end (exclusive) of `window` at `now` in `zone`: the next midnight,
/// the next Monday's midnight (in the zone's calendar, so a day of a DST
/// change is 23 or 25 hours long), or now.
pub fn window_end(window: DueWindow, now: i64, zone: &TimeZone) -> Result<i64, jiff::Error> {
    let today = Timestamp::from_second(now)?.to_zoned(zone.clone()).date();
    let end = match window {
        DueWindow::Unspecified | DueWindow::Today => today.tomorrow()?,
        // `nth_weekday` counts from the day after, so a Monday's week ends
        // on the next Monday.
        DueWindow::ThisWeek => today.nth_weekday(1, Weekday::Monday)?,
        DueWindow::Overdue => return Ok(now),
    };
    // Midnight, or the first instant of the day if a DST gap skips it.
    Ok(end.to_zoned(zone.clone())?.timestamp().as_second())
}

/// The zone a `ListDue` counts days in: an IANA name from the bundled
/// database; empty means UTC.
pub fn time_zone(raw: &str) -> Result<TimeZone, String> {
    if raw.is_empty() {
        return Ok(TimeZone::UTC);
    }
    TimeZone::get(raw).map_err(|_| format!("{raw:?} is not a known IANA time zone"))
}

/// A validated `ListDue`: follow-ups due before `until`, after a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueQuery {
    /// End of the window (exclusive), Unix seconds.
    pub until: i64,
    /// `(follow_up_at, id)` of the previous page's last entry.
    pub after: Option<(i64, String)>,
    /// Rows wanted.
    pub size: i64,
}

/// Checks a `ListDue` request at `now`, reporting every violation at once.
pub fn parse_due(raw: &pb::ListDueRequest, now: i64) -> Result<DueQuery> {
    let mut violations = Violations::default();
    let window = violations.check("window", enum_value(raw.window, Some(DueWindow::Today)));
    let zone = violations.check("time_zone", time_zone(&raw.time_zone));
    let size = Page::parse(raw.page_size, "");
    violations.include(&size);
    let after = match raw.page_token.as_str() {
        "" => None,
        token => violations.check("page_token", decode_position(token)),
    };
    violations.finish()?;
    let window = window.unwrap_or(DueWindow::Today);
    let until = window_end(window, now, &zone.unwrap_or(TimeZone::UTC))
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("due window")))?;
    Ok(DueQuery {
        until,
        after,
        size: size?.size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_waiting_steps_fall_due_and_zero_days_means_never() {
        let rules = FollowUpRules::default();
        assert_eq!(rules.due(Stage::Applied, 100), Some(100 + 7 * DAY));
        assert_eq!(rules.due(Stage::Interview, 100), Some(100 + 5 * DAY));
        assert_eq!(rules.due(Stage::AwaitingFeedback, 100), Some(100 + 5 * DAY));
        assert_eq!(rules.due(Stage::Rejected, 100), None);
        assert_eq!(rules.due(Stage::Engaged, 100), None);
        let off = FollowUpRules {
            after_applied_days: 0,
            ..rules
        };
        assert_eq!(off.due(Stage::Applied, 100), None);
    }

    #[test]
    fn a_user_set_date_flags_itself_and_clearing_hands_it_back() {
        let set = manual_columns(Some(100));
        assert_eq!(set[0], ("follow_up_at", Value::MaybeInt(Some(100))));
        assert_eq!(set[1], ("follow_up_manual", Value::Int(1)));
        assert!(!hands_back_to_rules(&set));
        let cleared = manual_columns(None);
        assert_eq!(cleared[1], ("follow_up_manual", Value::Int(0)));
        assert!(hands_back_to_rules(&cleared));
    }

    #[test]
    fn windows_end_tomorrow_next_monday_or_now() {
        let end = |window, now| window_end(window, now, &TimeZone::UTC).unwrap();
        // Wednesday 2026-11-25 12:00 UTC.
        let now = 1_795_608_000;
        assert_eq!(end(DueWindow::Today, now), 1_795_651_200);
        // Monday 2026-11-30 00:00 UTC.
        assert_eq!(end(DueWindow::ThisWeek, now), 1_795_996_800);
        assert_eq!(end(DueWindow::Overdue, now), now);
        // On a Sunday the week still ends the next day; on a Monday, a
        // week later.
        let sunday = 1_795_996_800 - 3600;
        assert_eq!(end(DueWindow::ThisWeek, sunday), 1_795_996_800);
        assert_eq!(
            end(DueWindow::ThisWeek, 1_795_996_800),
            1_795_996_800 + 7 * DAY
        );
    }

    #[test]
    fn days_and_weeks_are_the_time_zones() {
        let zone = |name| time_zone(name).unwrap();
        // Wednesday 2026-11-25 23:30 UTC is already Thursday in Tokyo
        // (UTC+9), whose day ends at Thursday 15:00 UTC, and still
        // Wednesday in New York (UTC-5), ending at Thursday 05:00 UTC.
        let now = 1_795_608_000 + 11 * 3600 + 1800;
        let tokyo = zone("Asia/Tokyo");
        let new_york = zone("America/New_York");
        assert_eq!(
            window_end(DueWindow::Today, now, &tokyo).unwrap(),
            1_795_651_200 + 15 * 3600
        );
        assert_eq!(
            window_end(DueWindow::Today, now, &new_york).unwrap(),
            1_795_651_200 + 5 * 3600
        );
        // Sunday 2026-11-29 20:00 UTC is Monday 05:00 in Tokyo: its week
        // ends the Monday after, 2026-12-07 00:00 in Tokyo.
        let sunday_evening = 1_795_996_800 - 4 * 3600;
        assert_eq!(
            window_end(DueWindow::ThisWeek, sunday_evening, &tokyo).unwrap(),
            1_795_996_800 + 7 * DAY - 9 * 3600
        );
        // Saturday 2026-03-07 12:00 in New York: the week ends Monday
        // 2026-03-09 00:00 EDT (UTC-4), after the spring-forward Sunday.
        let saturday = 1_772_902_800;
        assert_eq!(
            window_end(DueWindow::ThisWeek, saturday, &new_york).unwrap(),
            1_773_028_800
        );
        assert_eq!(time_zone("").unwrap(), TimeZone::UTC);
        assert!(time_zone("Mars/Olympus_Mons").is_err());
    }
}
