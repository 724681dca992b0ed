//! Revocation as ordered events: ending sessions records an event in the
//! same transaction, and `WatchRevocations` streams them to services.

use std::time::Duration;

use shared::{proto::jobsearch::auth::v1 as pb, timestamp};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use super::now;
use crate::{
    db::{
        Tx,
        revocations::{self, EventRow, Target},
        sessions::{self, RefreshTokenOwner, RevokeReason},
    },
    error::{Error, Result},
    state::AppState,
};

/// Events read per query while catching a watcher up.
const BATCH: i64 = 500;
/// How often an idle feed sends a heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// What a watcher receives.
pub type EventStream = ReceiverStream<Result<pb::WatchRevocationsResponse, Status>>;

impl AppState {
    /// How long an event must be kept: no access token issued up to now
    /// outlives it.
    fn event_expiry(&self, now: i64) -> i64 {
        now + i64::try_from(self.config.access_token_ttl_secs).unwrap_or(i64::MAX / 4)
    }

    /// Ends one session inside `tx`, recording the event if it was live.
    pub(crate) async fn end_session(
        &self,
        tx: &mut Tx,
        owner: &RefreshTokenOwner,
        reason: RevokeReason,
        now: i64,
    ) -> Result<()> {
        if sessions::revoke(&mut **tx, &owner.session_id, now, reason).await? > 0 {
            let target = Target::Session(&owner.session_id);
            let expires = self.event_expiry(now);
            revocations::record(tx, &owner.user_id, target, reason, now, expires).await?;
        }
        Ok(())
    }

    /// Ends every live session of a user but `keep` inside `tx`, recording
    /// one event per session; returns how many ended.
    pub(crate) async fn end_sessions_of_user(
        &self,
        tx: &mut Tx,
        user_id: &str,
        keep: Option<&str>,
        reason: RevokeReason,
        now: i64,
    ) -> Result<u64> {
        let ended = sessions::revoke_all_of_user(&mut **tx, user_id, keep, now, reason).await?;
        let expires = self.event_expiry(now);
        for session_id in &ended {
            let target = Target::Session(session_id);
            revocations::record(tx, user_id, target, reason, now, expires).await?;
        }
        Ok(ended.len() as u64)
    }

    /// Records that every token of a user issued up to now is revoked.
    pub(crate) async fn revoke_user_tokens(
        &self,
        tx: &mut Tx,
        user_id: &str,
        reason: RevokeReason,
        now: i64,
    ) -> Result<()> {
        self.end_sessions_of_user(tx, user_id, None, reason, now)
            .await?;
        let expires = self.event_expiry(now);
        revocations::record(tx, user_id, Target::UserBefore(now), reason, now, expires).await?;
        Ok(())
    }

    /// Streams live events after `cursor`, then new ones as they come, with
    /// heartbeats while idle. Ends when the client goes away or the server
    /// shuts down.
    pub fn watch_revocations(&self, cursor: i64) -> EventStream {
        let (sender, receiver) = mpsc::channel(BATCH.unsigned_abs() as usize);
        let state = self.clone();
        tokio::spawn(async move {
            if let Err(status) = state.feed_watcher(cursor, &sender).await {
                let _ = sender.send(Err(status)).await;
            }
        });
        ReceiverStream::new(receiver)
    }

    async fn feed_watcher(
        &self,
        mut cursor: i64,
        sender: &mpsc::Sender<Result<pb::WatchRevocationsResponse, Status>>,
    ) -> Result<(), Status> {
        let mut watcher = self.feed.subscribe();
        // Due at once: the first heartbeat tells the watcher it has caught up.
        let mut last_sent = tokio::time::Instant::now()
            .checked_sub(HEARTBEAT)
            .unwrap_or_else(tokio::time::Instant::now);
        loop {
            loop {
                let events = revocations::after(&self.db, cursor, now(), BATCH)
                    .await
                    .map_err(|e| Status::from(Error::from(e)))?;
                let caught_up = events.len() < BATCH.unsigned_abs() as usize;
                for event in events {
                    cursor = event.seq;
                    if sender.send(Ok(message(Some(event), cursor))).await.is_err() {
                        return Ok(());
                    }
                    last_sent = tokio::time::Instant::now();
                }
                if caught_up {
                    break;
                }
            }
            if last_sent.elapsed() >= HEARTBEAT {
                if sender.send(Ok(message(None, cursor))).await.is_err() {
                    return Ok(());
                }
                last_sent = tokio::time::Instant::now();
            }
            tokio::select! {
                open = watcher.wait(HEARTBEAT.saturating_sub(last_sent.elapsed())) => if !open { return Ok(()) },
                () = sender.closed() => return Ok(()),
            }
        }
    }
}

/// An event (or, with `None`, a heartbeat) as sent to watchers.
fn message(event: Option<EventRow>, latest_cursor: i64) -> pb::WatchRevocationsResponse {
    pb::WatchRevocationsResponse {
        event: event.map(|e| pb::RevocationEvent {
            cursor: e.seq,
            target: Some(match (e.session_id, e.issued_before) {
                (Some(session_id), _) => pb::revocation_event::Target::SessionId(session_id),
                (None, issued_before) => pb::revocation_event::Target::User(pb::UserRevocation {
                    user_id: e.user_id,
                    issued_before: Some(timestamp(issued_before.unwrap_or(0))),
                }),
            }),
            expires_at: Some(timestamp(e.expires_at)),
            reason: e.reason,
        }),
        latest_cursor,
        sent_at: Some(timestamp(now())),
    }
}
