//! Use cases for stage history: list, log, edit and delete a posting's or
//! an opportunity's events, and the step every history write ends with:
//! deriving the parent's status and dates again, in the same transaction.
//! Each write first touches the parent (see `db::stage_events::touch_parent`).

use crate::{
    db::{
        Tx,
        stage_events::{self, StageEventRow},
    },
    domain::{
        Value,
        follow_up::FollowUpRules,
        now,
        stage::{
            self, Event, LegacyChanges, MAX_EVENTS_PER_PARENT, Op, Parent, ParentKind,
            check_close_reason,
        },
        stage_event::{EventPage, NewStageEvent, StageEventUpdate},
    },
    error::{Error, Result},
    state::AppState,
};

/// What `NotFound` names for an event.
const NOT_FOUND: Error = Error::NotFound("stage event");

/// A new event id: UUIDv7, so ties in time go to the event logged last.
fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl AppState {
    /// One page of `parent`'s history and the next page's token. Another
    /// user's parent is `NOT_FOUND`, not an empty list.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn list_stage_events(
        &self,
        user_id: &str,
        page: &EventPage,
    ) -> Result<(Vec<StageEventRow>, String)> {
        let parent = &page.parent;
        let mut tx = self.db.begin().await?;
        if !stage_events::parent_exists(&mut *tx, user_id, parent).await? {
            return Err(Error::NotFound(parent.kind.noun()));
        }
        let limit = page.size + 1;
        let mut rows =
            stage_events::page(&mut *tx, user_id, parent, page.after.as_ref(), limit).await?;
        tx.commit().await?;
        let size = usize::try_from(page.size).unwrap_or(usize::MAX);
        if rows.len() <= size {
            return Ok((rows, String::new()));
        }
        rows.truncate(size);
        let token = rows
            .last()
            .map(|row| EventPage::token(row.occurred_at, &row.id))
            .unwrap_or_default();
        Ok((rows, token))
    }

    /// Logs an event under one of `user_id`'s postings or opportunities.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn create_stage_event(
        &self,
        user_id: &str,
        new: NewStageEvent,
    ) -> Result<StageEventRow> {
        let now = now();
        let parent = &new.parent;
        let mut tx = self.writer.begin().await?;
        if stage_events::touch_parent(&mut *tx, user_id, parent, now).await? == 0 {
            return Err(Error::NotFound(parent.kind.noun()));
        }
        let event = Event {
            id: new_id(),
            stage: stage::number(new.stage),
            occurred_at: new.occurred_at,
        };
        let reason = i64::from(new.close_reason as i32);
        stage_events::insert(&mut *tx, user_id, parent, &event, &new.note, reason, now).await?;
        rederive(&mut tx, user_id, parent, &self.rules(), "parent").await?;
        let row = stage_events::find(&mut *tx, user_id, &event.id)
            .await?
            .ok_or(NOT_FOUND)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Applies a masked update to one of `user_id`'s events.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn update_stage_event(
        &self,
        user_id: &str,
        update: StageEventUpdate,
    ) -> Result<StageEventRow> {
        let now = now();
        let mut tx = self.writer.begin().await?;
        let stored = lock_event(&mut tx, user_id, &update.id, now).await?;
        let stage = update
            .stage
            .or_else(|| stage::stage(stored.stage))
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("stored stage out of range")))?;
        let reason = update.close_reason.unwrap_or_else(|| {
            i32::try_from(stored.close_reason)
                .ok()
                .and_then(|n| n.try_into().ok())
                .unwrap_or_default()
        });
        check_close_reason(stage, reason)
            .map_err(|why| Error::invalid("stage_event.close_reason", why))?;
        let mut columns: Vec<(&'static str, Value)> = vec![("update_time", now.into())];
        if let Some(stage) = update.stage {
            columns.push(("stage", stage::number(stage).into()));
        }
        if let Some(at) = update.occurred_at {
            columns.push(("occurred_at", at.into()));
        }
        if let Some(note) = update.note {
            columns.push(("note", note.into()));
        }
        if let Some(reason) = update.close_reason {
            columns.push(("close_reason", i64::from(reason as i32).into()));
        }
        stage_events::update(&mut *tx, user_id, &stored.id, &columns).await?;
        let rules = self.rules();
        rederive(&mut tx, user_id, &stored.parent(), &rules, "stage_event").await?;
        let row = stage_events::find(&mut *tx, user_id, &stored.id)
            .await?
            .ok_or(NOT_FOUND)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Deletes one of `user_id`'s events.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn delete_stage_event(&self, user_id: &str, id: &str) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let stored = lock_event(&mut tx, user_id, id, now()).await?;
        stage_events::delete(&mut *tx, user_id, id).await?;
        rederive(&mut tx, user_id, &stored.parent(), &self.rules(), "id").await?;
        tx.commit().await?;
        Ok(())
    }
}

impl AppState {
    /// The configured follow-up rules.
    pub(crate) fn rules(&self) -> FollowUpRules {
        self.config.follow_up_rules()
    }
}

/// Touches the parent of event `id` (whichever kind it is) and reads the
/// event; `NOT_FOUND` if it is not `user_id`'s.
async fn lock_event(tx: &mut Tx, user_id: &str, id: &str, now: i64) -> Result<StageEventRow> {
    let mut touched = 0;
    for kind in ParentKind::ALL {
        touched += stage_events::touch_parent_of(&mut **tx, user_id, kind, id, now).await?;
        if touched > 0 {
            break;
        }
    }
    if touched == 0 {
        return Err(NOT_FOUND);
    }
    stage_events::find(&mut **tx, user_id, id)
        .await?
        .ok_or(NOT_FOUND)
}

/// Turns an old-style write of `parent`'s status and dates into history,
/// then derives the parent again. The caller has touched the parent.
pub(crate) async fn apply_legacy(
    tx: &mut Tx,
    user_id: &str,
    parent: &Parent,
    changes: &LegacyChanges,
    now: i64,
    rules: &FollowUpRules,
    field: &str,
) -> Result<()> {
    let history = stage_events::history(&mut **tx, user_id, parent).await?;
    for op in stage::legacy_ops(parent.kind, &history, changes, now, new_id) {
        match op {
            Op::Insert(event) => {
                stage_events::insert(&mut **tx, user_id, parent, &event, "", 0, now).await?;
            }
            Op::Move { id, occurred_at } => {
                let columns = [
                    ("occurred_at", Value::from(occurred_at)),
                    ("update_time", now.into()),
                ];
                stage_events::update(&mut **tx, user_id, &id, &columns).await?;
            }
            Op::DeleteStage(stage) => {
                stage_events::delete_stage(&mut **tx, user_id, parent, stage).await?;
            }
        }
    }
    rederive(tx, user_id, parent, rules, field).await
}

/// Derives `parent`'s status and dates from its whole history and stores
/// them. A history past the limit is refused (the transaction rolls back),
/// with the violation on `field`.
async fn rederive(
    tx: &mut Tx,
    user_id: &str,
    parent: &Parent,
    rules: &FollowUpRules,
    field: &str,
) -> Result<()> {
    let history = stage_events::history(&mut **tx, user_id, parent).await?;
    if history.len() > MAX_EVENTS_PER_PARENT {
        return Err(Error::invalid(
            field,
            format!("the history is full ({MAX_EVENTS_PER_PARENT} stage events)"),
        ));
    }
    let derived = stage::derive(parent.kind, &history, rules);
    stage_events::write_derived(&mut **tx, user_id, parent, &derived).await?;
    Ok(())
}
