//! The calendar export, parsed back line by line: RFC 5545 line ends and
//! folding, escaped text, UTC times, one VEVENT per interview of the
//! caller's in the window.

use shared::proto::jobsearch::jobs::v1::{self as pb, InterviewKind, InterviewOutcome};

use crate::{
    helpers::{now, spawn_app, ts},
    interview_helpers::{at, call, export, new_opportunity, schedule},
    stage_helpers::{DAY, new_posting, posting_parent},
};

/// The content lines of `text`: every physical line ends in CRLF and holds
/// at most 75 octets; continuation lines (leading space) are unfolded.
fn unfold(text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"), "the last line ends in CRLF");
    let mut lines: Vec<String> = Vec::new();
    for physical in text[..text.len() - 2].split("\r\n") {
        assert!(!physical.contains('\n') && !physical.contains('\r'));
        assert!(
            physical.len() <= 75,
            "{} octets: {physical}",
            physical.len()
        );
        match physical.strip_prefix(' ') {
            Some(rest) => lines.last_mut().expect("a line to continue").push_str(rest),
            None => lines.push(physical.to_owned()),
        }
    }
    lines
}

/// A TEXT value unescaped.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => panic!("a dangling backslash"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The VEVENTs of a calendar, each as its `(name, value)` properties.
fn events(lines: &[String]) -> Vec<Vec<(String, String)>> {
    let mut events = Vec::new();
    let mut current: Option<Vec<(String, String)>> = None;
    for line in lines {
        match line.as_str() {
            "BEGIN:VEVENT" => current = Some(Vec::new()),
            "END:VEVENT" => events.push(current.take().expect("an open VEVENT")),
            _ => {
                if let Some(event) = current.as_mut() {
                    let (name, value) = line.split_once(':').expect("NAME:value");
                    event.push((name.to_owned(), value.to_owned()));
                }
            }
        }
    }
    events
}

fn property<'a>(event: &'a [(String, String)], name: &str) -> &'a str {
    let found = event.iter().find(|(n, _)| n == name);
    &found.unwrap_or_else(|| panic!("no {name}")).1
}

#[tokio::test]
async fn the_calendar_export_parses_back_line_by_line() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let posting = new_posting(&app, &ada, pb::JobPosting::default()).await;
    let opportunity = pb::Opportunity {
        recruiter_company: "Initech, Ltd; EU".into(),
        ..Default::default()
    };
    let opportunity = new_opportunity(&app, &ada, opportunity).await.unwrap();
    // 2030-01-15 09:00 UTC, 10:00 in Paris.
    let start = 1_894_698_000;
    let notes = "Résumé, portfolio; \"why us?\"\\\nthen a very long line of preparation notes \
                 that certainly needs folding more than once over the 75-octet limit – ✓"
        .to_owned();
    let technical = pb::Interview {
        round: 2,
        kind: InterviewKind::Technical as i32,
        time_zone: "Europe/Paris".into(),
        duration_minutes: 90,
        location: "HQ, room 4; floor 2".into(),
        meeting_url: "https://meet.example.com/abc?x=1,2".into(),
        prep_notes: notes.clone(),
        ..at(start)
    };
    let parent = posting_parent(&posting.id);
    let technical = schedule(&app, &ada, &parent, technical).await.unwrap();
    let cancelled = pb::Interview {
        outcome: InterviewOutcome::Cancelled as i32,
        ..at(start + DAY)
    };
    let parent = format!("opportunities/{}", opportunity.id);
    let cancelled = schedule(&app, &ada, &parent, cancelled).await.unwrap();
    let bob = app.user("bob").await;
    let bobs = new_posting(&app, &bob, pb::JobPosting::default()).await;
    schedule(&app, &bob, &posting_parent(&bobs.id), at(start))
        .await
        .unwrap();

    let exported = export(&app, &ada).await;
    assert_eq!(exported.count, 2);
    let lines = unfold(&exported.calendar);
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    assert!(lines.contains(&"VERSION:2.0".to_owned()));
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
    // The long description really was folded.
    assert!(exported.calendar.contains("\r\n "));

    let events = events(&lines);
    assert_eq!(events.len(), 2);
    let (first, second) = (&events[0], &events[1]);
    assert_eq!(property(first, "UID"), technical.id);
    assert_eq!(property(first, "DTSTART"), "20300115T090000Z");
    assert_eq!(property(first, "DTEND"), "20300115T103000Z");
    assert!(property(first, "DTSTAMP").ends_with('Z'));
    assert_eq!(
        unescape(property(first, "SUMMARY")),
        "Acme – Engineer: round 2 (technical)"
    );
    assert_eq!(unescape(property(first, "LOCATION")), "HQ, room 4; floor 2");
    assert_eq!(property(first, "LOCATION"), "HQ\\, room 4\\; floor 2");
    assert_eq!(property(first, "URL"), "https://meet.example.com/abc?x=1,2");
    assert_eq!(property(first, "STATUS"), "CONFIRMED");
    let description = unescape(property(first, "DESCRIPTION"));
    assert_eq!(
        description,
        format!("Local time: 2030-01-15 10:00 CET (Europe/Paris), 90 minutes\n\n{notes}")
    );

    assert_eq!(property(second, "UID"), cancelled.id);
    assert_eq!(property(second, "DTSTART"), "20300116T090000Z");
    assert_eq!(property(second, "DTEND"), "20300116T100000Z");
    assert_eq!(property(second, "STATUS"), "CANCELLED");
    assert_eq!(
        unescape(property(second, "SUMMARY")),
        "Initech, Ltd; EU – Platform engineer: round 1 (interview)"
    );
    assert!(
        second
            .iter()
            .all(|(name, _)| name != "URL" && name != "LOCATION")
    );

    // A window keeps only what starts inside it.
    let window = pb::ExportInterviewsRequest {
        from: Some(ts(start + 1)),
        until: Some(ts(start + 2 * DAY)),
    };
    let only_second = call!(app, ada, export_interviews, window).unwrap();
    assert_eq!(only_second.count, 1);
    let events = events_of(&only_second.calendar);
    assert_eq!(property(&events[0], "UID"), cancelled.id);
    // An empty calendar is still a calendar.
    let empty = pb::ExportInterviewsRequest {
        from: Some(ts(now() - 2 * DAY)),
        until: Some(ts(now() - DAY)),
    };
    let empty = call!(app, ada, export_interviews, empty).unwrap();
    assert_eq!(empty.count, 0);
    assert_eq!(
        unfold(&empty.calendar).first().map(String::as_str),
        Some("BEGIN:VCALENDAR")
    );
}

fn events_of(text: &str) -> Vec<Vec<(String, String)>> {
    events(&unfold(text))
}
