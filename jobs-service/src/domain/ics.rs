//! iCalendar (RFC 5545) text for the interview export. Pure functions.
//!
//! Times are written in UTC (`DTSTART:20261201T090000Z`, the spec's form
//! #2) rather than with `TZID`: a `TZID` needs a matching `VTIMEZONE` block
//! carrying the zone's rules, which calendars then trust over their own,
//! while a UTC time is exact and every calendar shows it in the viewer's
//! zone. The interview's own zone and its local time go in DESCRIPTION.

use jiff::{Timestamp, tz::TimeZone};
use shared::proto::jobsearch::jobs::v1::InterviewKind;

/// The longest line in octets, CRLF excluded (RFC 5545 §3.1).
const FOLD_AT: usize = 75;

/// One interview as an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// The interview's id: the event's UID.
    pub id: String,
    /// Start, Unix seconds.
    pub start: i64,
    /// Length in minutes.
    pub minutes: i64,
    /// IANA zone it is held in.
    pub time_zone: String,
    /// SUMMARY, see [`summary`].
    pub summary: String,
    /// LOCATION (empty: none).
    pub location: String,
    /// URL (empty: none).
    pub url: String,
    /// Preparation notes, ending the DESCRIPTION.
    pub notes: String,
    /// Whether it was called off (STATUS:CANCELLED).
    pub cancelled: bool,
    /// Last change, Unix seconds (LAST-MODIFIED).
    pub update_time: i64,
}

/// "Acme – Backend engineer: round 2 (technical)"; either name may be empty.
pub fn summary(company: &str, title: &str, round: i64, kind: InterviewKind) -> String {
    let what = match (company.is_empty(), title.is_empty()) {
        (false, false) => format!("{company} – {title}: "),
        (false, true) => format!("{company}: "),
        (true, false) => format!("{title}: "),
        (true, true) => String::new(),
    };
    let kind = match kind {
        InterviewKind::PhoneScreen => "phone screen",
        InterviewKind::Video => "video",
        InterviewKind::Onsite => "onsite",
        InterviewKind::Technical => "technical",
        InterviewKind::TakeHome => "take-home",
        InterviewKind::Panel => "panel",
        InterviewKind::Other | InterviewKind::Unspecified => "interview",
    };
    format!("{what}round {round} ({kind})")
}

/// The calendar holding `events`, stamped `now`.
pub fn render(events: &[CalendarEvent], now: i64) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//jobsearch//jobs-service//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(line, &mut out);
    }
    for event in events {
        render_event(event, now, &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

fn render_event(event: &CalendarEvent, now: i64, out: &mut String) {
    let end = event.start + event.minutes * 60;
    let mut lines = vec![
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", event.id),
        format!("DTSTAMP:{}", utc(now)),
        format!("DTSTART:{}", utc(event.start)),
        format!("DTEND:{}", utc(end)),
        format!("LAST-MODIFIED:{}", utc(event.update_time)),
        format!("SUMMARY:{}", escape(&event.summary)),
        format!("DESCRIPTION:{}", escape(&description(event))),
    ];
    if !event.location.is_empty() {
        lines.push(format!("LOCATION:{}", escape(&event.location)));
    }
    if !event.url.is_empty() {
        // A URI value, not TEXT: no escaping (validated http(s) URLs hold no
        // line breaks).
        lines.push(format!("URL:{}", event.url));
    }
    let status = if event.cancelled {
        "CANCELLED"
    } else {
        "CONFIRMED"
    };
    lines.push(format!("STATUS:{status}"));
    lines.push("END:VEVENT".to_owned());
    for line in &lines {
        fold(line, out);
    }
}

/// The local time in the interview's zone, then the notes.
fn description(event: &CalendarEvent) -> String {
    let local = Timestamp::from_second(event.start)
        .ok()
        .zip(TimeZone::get(&event.time_zone).ok())
        .map(|(at, zone)| at.to_zoned(zone).strftime("%Y-%m-%d %H:%M %Z").to_string())
        .unwrap_or_default();
    let mut text = format!(
        "Local time: {local} ({}), {} minutes",
        event.time_zone, event.minutes
    );
    if !event.notes.is_empty() {
        text.push_str("\n\n");
        text.push_str(&event.notes);
    }
    text
}

/// A UTC date-time: `19700101T000000Z`.
fn utc(seconds: i64) -> String {
    Timestamp::from_second(seconds)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped,
/// line breaks as `\n`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            // CRLF is one break; a lone CR is one too.
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` with CRLF, folded so no line passes 75 octets: each
/// continuation starts with a space, and a character is never split.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > FOLD_AT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> CalendarEvent {
        CalendarEvent {
            id: "01900000-0000-7000-8000-000000000001".into(),
            start: 1_796_202_000, // 2026-12-02 09:00 UTC
            minutes: 45,
            time_zone: "Europe/Paris".into(),
            summary: summary("Acme, Inc.", "Rust; backend", 2, InterviewKind::Technical),
            location: String::new(),
            url: "https://meet.example.com/abc".into(),
            notes: "Bring: laptop\\charger".into(),
            cancelled: false,
            update_time: 1_796_000_000,
        }
    }

    #[test]
    fn events_are_utc_with_the_local_time_described() {
        let text = render(&[event()], 1_796_000_000);
        assert!(text.contains("\r\nDTSTART:20261202T090000Z\r\n"));
        assert!(text.contains("\r\nDTEND:20261202T094500Z\r\n"));
        assert!(text.contains("SUMMARY:Acme\\, Inc. – Rust\\; backend: round 2 (technical)"));
        assert!(text.contains("Local time: 2026-12-02 10:00 CET (Europe/Paris)"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn text_escapes_specials_and_line_breaks() {
        assert_eq!(escape("a,b;c\\d\r\ne\nf\rg"), "a\\,b\\;c\\\\d\\ne\\nf\\ng");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", "é".repeat(100));
        fold(&line, &mut out);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        assert_eq!(out.replace("\r\n ", ""), format!("{line}\r\n"));
    }
}
