//! Follow-up rules: when a posting or an opportunity needs chasing, from
//! the last step of its history. Computed wherever the stage columns are
//! derived (`stage::derive`), so it never disagrees with the history; a
//! later step of any other kind clears it.

use shared::proto::jobsearch::jobs::v1::{self as pb, DueWindow, Stage};

use super::{Violations, enum_value, stage_event::decode_position};
use crate::{error::Result, paging::Page};

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

/// The end (exclusive) of `window` at `now`: tomorrow 00:00 UTC, next
/// Monday 00:00 UTC, or now.
pub fn window_end(window: DueWindow, now: i64) -> i64 {
    let today = now.div_euclid(DAY);
    match window {
        DueWindow::Unspecified | DueWindow::Today => (today + 1) * DAY,
        // 1970-01-01 was a Thursday: (day + 3) % 7 is days since Monday.
        DueWindow::ThisWeek => (today - (today + 3).rem_euclid(7) + 7) * DAY,
        DueWindow::Overdue => now,
    }
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
    let size = Page::parse(raw.page_size, "");
    violations.include(&size);
    let after = match raw.page_token.as_str() {
        "" => None,
        token => violations.check("page_token", decode_position(token)),
    };
    violations.finish()?;
    Ok(DueQuery {
        until: window_end(window.unwrap_or(DueWindow::Today), now),
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
    fn windows_end_tomorrow_next_monday_or_now() {
        // Wednesday 2026-11-25 12:00 UTC.
        let now = 1_795_608_000;
        assert_eq!(window_end(DueWindow::Today, now), 1_795_651_200);
        // Monday 2026-11-30 00:00 UTC.
        assert_eq!(window_end(DueWindow::ThisWeek, now), 1_795_996_800);
        assert_eq!(window_end(DueWindow::Overdue, now), now);
        // On a Sunday the week still ends the next day.
        let sunday = 1_795_996_800 - 3600;
        assert_eq!(window_end(DueWindow::ThisWeek, sunday), 1_795_996_800);
    }
}
