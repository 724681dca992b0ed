//! Validation of stage-event requests: create, masked update and list
//! become validated values (or every field violation at once). Whether the
//! close reason fits the stage after an update depends on the stored event,
//! so the service checks that with [`stage::check_close_reason`].

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1::{self as pb, CloseReason, Stage};

use super::{
    Violations, enum_value, id, long_text, mask_paths,
    stage::{self, Parent},
    timestamp,
};
use crate::{
    error::{Error, Result},
    paging::Page,
};

/// Longest note on an event.
pub const MAX_NOTE: usize = 2000;

/// A validated event to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStageEvent {
    /// Whose history.
    pub parent: Parent,
    /// The stage reached.
    pub stage: Stage,
    /// When it happened.
    pub occurred_at: i64,
    /// The note.
    pub note: String,
    /// Why it closed.
    pub close_reason: CloseReason,
}

/// A validated masked update: `None` fields are left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StageEventUpdate {
    /// The event's id.
    pub id: String,
    /// New stage.
    pub stage: Option<Stage>,
    /// New time.
    pub occurred_at: Option<i64>,
    /// New note.
    pub note: Option<String>,
    /// New close reason.
    pub close_reason: Option<CloseReason>,
}

/// A validated list request: history order, continuing after a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPage {
    /// Whose history.
    pub parent: Parent,
    /// `(occurred_at, id)` of the previous page's last event.
    pub after: Option<(i64, String)>,
    /// Rows wanted.
    pub size: i64,
}

impl EventPage {
    /// The token continuing after `event`: its position in history order.
    pub fn token(occurred_at: i64, id: &str) -> String {
        URL_SAFE_NO_PAD.encode(format!("{occurred_at}/{id}"))
    }
}

/// Checks a create: the parent's name and every writable field. An unset
/// time means `now`.
pub fn parse_create(parent: &str, raw: Option<&pb::StageEvent>, now: i64) -> Result<NewStageEvent> {
    let empty = pb::StageEvent::default();
    let raw = raw.unwrap_or(&empty);
    let mut violations = Violations::default();
    let parent = violations.check("parent", Parent::parse(parent));
    let stage = violations.check("stage_event.stage", enum_value::<Stage>(raw.stage, None));
    let at = violations.check(
        "stage_event.occurred_at",
        timestamp(raw.occurred_at.as_ref()),
    );
    let note = violations.check("stage_event.note", long_text(&raw.note, MAX_NOTE));
    let reason = violations.check(
        "stage_event.close_reason",
        enum_value(raw.close_reason, Some(CloseReason::Unspecified)),
    );
    if let (Some(stage), Some(reason)) = (stage, reason) {
        violations.check(
            "stage_event.close_reason",
            stage::check_close_reason(stage, reason),
        );
    }
    violations.finish()?;
    let missing = || Error::invalid("stage_event", "is incomplete");
    Ok(NewStageEvent {
        parent: parent.ok_or_else(missing)?,
        stage: stage.ok_or_else(missing)?,
        occurred_at: at.ok_or_else(missing)?.unwrap_or(now),
        note: note.ok_or_else(missing)?,
        close_reason: reason.ok_or_else(missing)?,
    })
}

/// Checks the id and every masked field of an update. Unknown and
/// output-only paths are violations on `stage_event.<path>`.
pub fn parse_update(
    raw: Option<pb::StageEvent>,
    mask: Option<FieldMask>,
) -> Result<StageEventUpdate> {
    let raw = raw.unwrap_or_default();
    let mut violations = Violations::default();
    let id = violations.check("stage_event.id", id(&raw.id));
    let paths = mask_paths(mask);
    violations.include(&paths);
    let mut update = StageEventUpdate::default();
    for path in paths.as_deref().unwrap_or_default() {
        let field = format!("stage_event.{path}");
        match path.as_str() {
            "stage" => update.stage = violations.check(&field, enum_value(raw.stage, None)),
            "occurred_at" => {
                let at = timestamp(raw.occurred_at.as_ref())
                    .and_then(|at| at.ok_or_else(|| "is required".to_owned()));
                update.occurred_at = violations.check(&field, at);
            }
            "note" => update.note = violations.check(&field, long_text(&raw.note, MAX_NOTE)),
            "close_reason" => {
                let reason = enum_value(raw.close_reason, Some(CloseReason::Unspecified));
                update.close_reason = violations.check(&field, reason);
            }
            "id" | "parent" | "create_time" | "update_time" => {
                violations.push(&field, "is output only");
            }
            _ => violations.push(&field, "is not a field of StageEvent"),
        }
    }
    violations.finish()?;
    update.id = id.unwrap_or_default();
    Ok(update)
}

/// Checks the parent, page size and token of a list request.
pub fn parse_list(raw: &pb::ListStageEventsRequest) -> Result<EventPage> {
    let mut violations = Violations::default();
    let parent = violations.check("parent", Parent::parse(&raw.parent));
    // The size rules are every list's; the token is this list's own.
    let size = Page::parse(raw.page_size, "");
    violations.include(&size);
    let after = match raw.page_token.as_str() {
        "" => None,
        token => violations.check("page_token", decode_position(token)),
    };
    violations.finish()?;
    Ok(EventPage {
        parent: parent.ok_or_else(|| Error::invalid("parent", "is required"))?,
        after,
        size: size?.size,
    })
}

/// `(time, id)` from a token made by [`EventPage::token`] (lists ordered
/// by a time, then id, share the form).
pub fn decode_position(token: &str) -> Result<(i64, String), String> {
    let refused = || "is not a token from a previous page".to_owned();
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| refused())?;
    let text = String::from_utf8(bytes).map_err(|_| refused())?;
    let (at, event_id) = text.split_once('/').ok_or_else(refused)?;
    let at = at.parse().map_err(|_| refused())?;
    Ok((at, id(event_id).map_err(|_| refused())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "01900000-0000-7000-8000-000000000001";

    fn fields(error: Error) -> Vec<String> {
        match error {
            Error::InvalidArgument(found) => found.into_iter().map(|(f, _)| f).collect(),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn a_create_names_every_bad_field() {
        let raw = pb::StageEvent {
            stage: Stage::Offer as i32,
            close_reason: CloseReason::NotAFit as i32,
            note: "x\u{0}".into(),
            ..Default::default()
        };
        let error = parse_create("jobSites/1", Some(&raw), 0).unwrap_err();
        assert_eq!(
            fields(error),
            ["parent", "stage_event.note", "stage_event.close_reason"]
        );
        let error = parse_create(&format!("jobPostings/{ID}"), None, 0).unwrap_err();
        assert_eq!(fields(error), ["stage_event.stage"]);
    }

    #[test]
    fn a_create_without_a_time_happened_now() {
        let raw = pb::StageEvent {
            stage: Stage::Applied as i32,
            ..Default::default()
        };
        let event = parse_create(&format!("opportunities/{ID}"), Some(&raw), 42).unwrap();
        assert_eq!(event.occurred_at, 42);
    }

    #[test]
    fn an_update_refuses_output_only_unknown_and_unset_time() {
        let mask = FieldMask {
            paths: vec!["parent".into(), "colour".into(), "occurred_at".into()],
        };
        let raw = pb::StageEvent {
            id: ID.into(),
            ..Default::default()
        };
        let error = parse_update(Some(raw), Some(mask)).unwrap_err();
        assert_eq!(
            fields(error),
            [
                "stage_event.parent",
                "stage_event.colour",
                "stage_event.occurred_at"
            ]
        );
    }

    #[test]
    fn list_tokens_round_trip_and_garbage_is_refused() {
        let request = pb::ListStageEventsRequest {
            parent: format!("jobPostings/{ID}"),
            page_size: 0,
            page_token: EventPage::token(7, ID),
        };
        assert_eq!(parse_list(&request).unwrap().after, Some((7, ID.into())));
        let bad = pb::ListStageEventsRequest {
            page_token: "' OR 1=1".into(),
            page_size: 1000,
            ..request
        };
        assert_eq!(
            fields(parse_list(&bad).unwrap_err()),
            ["page_size", "page_token"]
        );
    }
}
