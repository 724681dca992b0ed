//! The stage model (docs/tracking-model.md): which status each stage gives a
//! posting or an opportunity, how the parent's stored status and dates are
//! derived from its history, and how an old-style write (status and dates
//! set on the parent) becomes history. Pure functions, no I/O, so every rule
//! is unit-tested here.

use shared::proto::jobsearch::jobs::v1::{CloseReason, OpportunityStatus, PostingStatus, Stage};

use super::{Value, follow_up::FollowUpRules, id};

/// Most events one posting or opportunity may have (real ones have a few).
pub const MAX_EVENTS_PER_PARENT: usize = 500;

/// The kind of object a history belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentKind {
    /// A job posting.
    Posting,
    /// A recruiter opportunity.
    Opportunity,
}

impl ParentKind {
    /// Both kinds, for lookups by event id.
    pub const ALL: [Self; 2] = [Self::Posting, Self::Opportunity];

    /// The parent's table.
    pub fn table(self) -> &'static str {
        match self {
            Self::Posting => "job_postings",
            Self::Opportunity => "opportunities",
        }
    }

    /// The `stage_events` column naming a parent of this kind.
    pub fn column(self) -> &'static str {
        match self {
            Self::Posting => "job_posting_id",
            Self::Opportunity => "opportunity_id",
        }
    }

    /// What `NotFound` names.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Posting => "job posting",
            Self::Opportunity => "opportunity",
        }
    }

    /// The resource-name collection: `jobPostings/{id}`, `opportunities/{id}`.
    fn collection(self) -> &'static str {
        match self {
            Self::Posting => "jobPostings",
            Self::Opportunity => "opportunities",
        }
    }
}

/// Whose history: a validated `parent` resource name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    /// Posting or opportunity.
    pub kind: ParentKind,
    /// Its id.
    pub id: String,
}

impl Parent {
    /// The parent a two-parent row (`job_posting_id`, `opportunity_id`)
    /// hangs on; the tables' CHECK guarantees exactly one is set.
    pub fn of_row(job_posting_id: Option<&str>, opportunity_id: Option<&str>) -> Self {
        match (job_posting_id, opportunity_id) {
            (Some(id), _) => Self {
                kind: ParentKind::Posting,
                id: id.to_owned(),
            },
            (None, opportunity) => Self {
                kind: ParentKind::Opportunity,
                id: opportunity.unwrap_or_default().to_owned(),
            },
        }
    }

    /// Parses `jobPostings/{id}` or `opportunities/{id}`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let (collection, raw_id) = raw
            .split_once('/')
            .ok_or_else(|| "must be jobPostings/{id} or opportunities/{id}".to_owned())?;
        let kind = ParentKind::ALL
            .into_iter()
            .find(|kind| kind.collection() == collection)
            .ok_or_else(|| "must be jobPostings/{id} or opportunities/{id}".to_owned())?;
        Ok(Self {
            kind,
            id: id(raw_id)?,
        })
    }

    /// The resource name of a `kind` parent with `id`.
    pub fn name(kind: ParentKind, id: &str) -> String {
        format!("{}/{id}", kind.collection())
    }
}

/// A stored stage number as the enum; `None` for anything never stored.
pub fn stage(stored: i64) -> Option<Stage> {
    i32::try_from(stored)
        .ok()
        .and_then(|n| Stage::try_from(n).ok())
        .filter(|s| *s != Stage::Unspecified)
}

/// A stage as its stored (protobuf) number.
pub fn number(stage: Stage) -> i64 {
    i64::from(stage as i32)
}

/// Whether a stage closes the posting or opportunity (and may carry a reason).
pub fn is_closing(stage: Stage) -> bool {
    matches!(
        stage,
        Stage::Rejected | Stage::NoResponse | Stage::Withdrawn
    )
}

/// A close reason is allowed only on a closing stage.
pub fn check_close_reason(stage: Stage, reason: CloseReason) -> Result<(), String> {
    if reason != CloseReason::Unspecified && !is_closing(stage) {
        return Err(
            "must be unspecified unless the stage is REJECTED, NO_RESPONSE or WITHDRAWN".into(),
        );
    }
    Ok(())
}

/// The posting status a stage gives.
fn posting_status(stage: Stage) -> PostingStatus {
    use PostingStatus as P;
    match stage {
        Stage::Unspecified | Stage::Open => P::Open,
        Stage::Applied | Stage::AwaitingFeedback => P::AwaitingFeedback,
        Stage::Engaged | Stage::Interview => P::ActivelyEngaged,
        Stage::Offer => P::Offer,
        Stage::Accepted => P::Accepted,
        Stage::Rejected => P::Rejected,
        Stage::NoResponse => P::NoResponse,
        Stage::Withdrawn => P::Withdrawn,
    }
}

/// The opportunity status a stage gives.
fn opportunity_status(stage: Stage) -> OpportunityStatus {
    use OpportunityStatus as O;
    match stage {
        Stage::Unspecified | Stage::Open => O::New,
        Stage::Applied | Stage::AwaitingFeedback => O::AwaitingFeedback,
        Stage::Engaged | Stage::Interview => O::ActivelyEngaged,
        Stage::Offer => O::Offer,
        Stage::Accepted => O::Accepted,
        Stage::Rejected => O::Rejected,
        Stage::NoResponse => O::NoResponse,
        Stage::Withdrawn => O::Declined,
    }
}

/// The stored status number a stage gives a parent of `kind`.
pub fn status_of(kind: ParentKind, stage: Stage) -> i64 {
    i64::from(match kind {
        ParentKind::Posting => posting_status(stage) as i32,
        ParentKind::Opportunity => opportunity_status(stage) as i32,
    })
}

/// The stage an old client means by setting a stored status: the one stage
/// that gives it and sets no date (`ENGAGED`, not `INTERVIEW`, for
/// ACTIVELY_ENGAGED), so no date appears that the client did not set.
pub fn stage_for_status(kind: ParentKind, status: i64) -> Stage {
    const CANONICAL: [Stage; 8] = [
        Stage::Open,
        Stage::Engaged,
        Stage::AwaitingFeedback,
        Stage::Offer,
        Stage::Accepted,
        Stage::Rejected,
        Stage::NoResponse,
        Stage::Withdrawn,
    ];
    CANONICAL
        .into_iter()
        .find(|stage| status_of(kind, *stage) == status)
        .unwrap_or(Stage::Open)
}

/// One event as the derivation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Its id (UUIDv7: the order it was logged).
    pub id: String,
    /// The stored stage number.
    pub stage: i64,
    /// When it happened.
    pub occurred_at: i64,
}

/// What the history decides about its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Derived {
    /// The stored status number: the last event's.
    pub status: i64,
    /// The earliest APPLIED.
    pub applied_at: Option<i64>,
    /// The earliest INTERVIEW.
    pub interviewed_at: Option<i64>,
    /// The earliest REJECTED.
    pub rejected_at: Option<i64>,
    /// When to follow up, from the last event (see `follow_up`).
    pub follow_up_at: Option<i64>,
    /// Every stage the history holds, as bits `1 << stage number`: what
    /// analytics counts the funnel and the outcomes from.
    pub stages_reached: i64,
    /// The first step after the earliest APPLIED (later, or at the same
    /// time but another stage): the application's first answer or move.
    pub next_step_at: Option<i64>,
}

impl Derived {
    /// The parent's columns these values are stored in, but for
    /// `follow_up_at`, which a user-set date overrides (see
    /// `db::stage_events::write_derived`).
    pub fn columns(&self, kind: ParentKind) -> Vec<(&'static str, Value)> {
        match kind {
            ParentKind::Posting => vec![
                ("posting_status", self.status.into()),
                ("applied_at", self.applied_at.into()),
                ("interviewed_at", self.interviewed_at.into()),
                ("rejected_at", self.rejected_at.into()),
                ("stages_reached", self.stages_reached.into()),
                ("next_step_at", self.next_step_at.into()),
            ],
            // An opportunity shows none of these; they are stored for
            // analytics only.
            ParentKind::Opportunity => vec![
                ("opportunity_status", self.status.into()),
                ("applied_at", self.applied_at.into()),
                ("stages_reached", self.stages_reached.into()),
                ("next_step_at", self.next_step_at.into()),
            ],
        }
    }
}

/// A stage's bit in [`Derived::stages_reached`]; 0 for a number outside
/// the enum (the store holds only valid ones).
pub fn stage_bit(stored: i64) -> i64 {
    match stage(stored) {
        Some(_) if (0..63).contains(&stored) => 1 << stored,
        _ => 0,
    }
}

/// History order: when it happened, then the order it was logged.
fn sort(events: &mut [Event]) {
    events.sort_by(|a, b| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)));
}

/// Derives a `kind` parent's status, dates and follow-up from its events
/// (any order).
pub fn derive(kind: ParentKind, events: &[Event], rules: &FollowUpRules) -> Derived {
    let mut ordered = events.to_vec();
    sort(&mut ordered);
    let last_event = ordered.last();
    let last = last_event.and_then(|e| stage(e.stage));
    let first = |wanted: Stage| {
        ordered
            .iter()
            .find(|e| e.stage == number(wanted))
            .map(|e| e.occurred_at)
    };
    let applied_at = first(Stage::Applied);
    let applied = number(Stage::Applied);
    let next_step_at = applied_at.and_then(|at| {
        ordered
            .iter()
            .find(|e| e.occurred_at > at || (e.occurred_at == at && e.stage != applied))
            .map(|e| e.occurred_at)
    });
    Derived {
        status: status_of(kind, last.unwrap_or(Stage::Open)),
        applied_at,
        stages_reached: ordered
            .iter()
            .map(|e| stage_bit(e.stage))
            .fold(0, |a, b| a | b),
        next_step_at,
        interviewed_at: first(Stage::Interview),
        rejected_at: first(Stage::Rejected),
        follow_up_at: last
            .zip(last_event)
            .and_then(|(stage, event)| rules.due(stage, event.occurred_at)),
    }
}

/// The parent's columns an old-style write may set, and the stage each date
/// column stands for.
const DATE_COLUMNS: [(&str, Stage); 3] = [
    ("applied_at", Stage::Applied),
    ("interviewed_at", Stage::Interview),
    ("rejected_at", Stage::Rejected),
];

/// What an old-style write (status and dates set on the parent) asks of the
/// history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegacyChanges {
    /// The stored status number asked for, if any.
    pub status: Option<i64>,
    /// Dates asked for: the stage, and its new time (`None`: remove).
    pub dates: Vec<(Stage, Option<i64>)>,
}

impl LegacyChanges {
    /// Moves the status and date columns out of validated `columns` (they
    /// are derived, never written directly).
    pub fn take(kind: ParentKind, columns: &mut Vec<(&'static str, Value)>) -> Self {
        let status_column = match kind {
            ParentKind::Posting => "posting_status",
            ParentKind::Opportunity => "opportunity_status",
        };
        let mut changes = Self::default();
        columns.retain(|(column, value)| {
            if *column == status_column
                && let Value::Int(status) = value
            {
                changes.status = Some(*status);
                return false;
            }
            let date = DATE_COLUMNS.iter().find(|(name, _)| name == column);
            match (kind, date, value) {
                (ParentKind::Posting, Some((_, stage)), Value::MaybeInt(at)) => {
                    changes.dates.push((*stage, *at));
                    false
                }
                _ => true,
            }
        });
        changes
    }

    /// Whether nothing about the history was asked.
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.dates.is_empty()
    }
}

/// A change to the stored history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Log a new event.
    Insert(Event),
    /// Move an event to another time.
    Move {
        /// The event.
        id: String,
        /// Its new time.
        occurred_at: i64,
    },
    /// Delete every event of a stage.
    DeleteStage(i64),
}

/// The history changes an old-style write means (docs/tracking-model.md):
/// each date moves the earliest event of its stage (or logs one; unset
/// removes them), then a status the history does not already end in is
/// logged as its stage at `max(now, last event)` (OPEN / NEW on an empty
/// history needs none). `new_id` makes event ids.
pub fn legacy_ops(
    kind: ParentKind,
    history: &[Event],
    changes: &LegacyChanges,
    now: i64,
    mut new_id: impl FnMut() -> String,
) -> Vec<Op> {
    let mut events = history.to_vec();
    sort(&mut events);
    let mut ops = Vec::new();
    for (stage, at) in &changes.dates {
        let stage = number(*stage);
        match at {
            None => {
                events.retain(|e| e.stage != stage);
                ops.push(Op::DeleteStage(stage));
            }
            Some(at) => match events.iter_mut().find(|e| e.stage == stage) {
                Some(earliest) => {
                    earliest.occurred_at = *at;
                    ops.push(Op::Move {
                        id: earliest.id.clone(),
                        occurred_at: *at,
                    });
                }
                None => {
                    let event = Event {
                        id: new_id(),
                        stage,
                        occurred_at: *at,
                    };
                    events.push(event.clone());
                    ops.push(Op::Insert(event));
                }
            },
        }
        sort(&mut events);
    }
    // An empty history already reads OPEN / NEW: a posting saved without a
    // date starts with no event, so a step logged later with an earlier
    // time ("applied three days ago") is not hidden behind one dated now.
    if let Some(status) = changes.status
        && derive(kind, &events, &FollowUpRules::default()).status != status
    {
        let last = events.iter().map(|e| e.occurred_at).max().unwrap_or(now);
        ops.push(Op::Insert(Event {
            id: new_id(),
            stage: number(stage_for_status(kind, status)),
            occurred_at: last.max(now),
        }));
    }
    ops
}

#[cfg(test)]
mod tests;
