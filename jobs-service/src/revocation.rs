//! Revocations, kept in memory: a background task follows the auth-service's
//! `WatchRevocations` feed and maintains the set of revoked sessions and
//! users that the interceptor consults on every call.
//!
//! The set is a pair of sharded concurrent maps (dashmap), so the per-call
//! check is two hash lookups without a global lock. Entries live only until
//! the tokens they cover have expired. Events are idempotent: applying one
//! twice (after a reconnect that resumes from an older cursor) is harmless.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    time::Duration,
};

use dashmap::DashMap;
use shared::{
    proto::jobsearch::auth::v1::{RevocationEvent, revocation_event::Target},
    token::AccessClaims,
};

use crate::config::StalePolicy;

/// The revoked sessions and users, and how fresh that knowledge is.
#[derive(Debug, Clone, Default)]
pub struct RevocationSet {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Session id → when the entry may be forgotten.
    sessions: DashMap<String, i64>,
    /// User id → (tokens issued at or before this are revoked, forget after).
    users: DashMap<String, (i64, i64)>,
    /// Cursor of the newest event applied.
    cursor: AtomicI64,
    /// When the feed last proved alive (an event or a heartbeat); 0 = never.
    last_contact: AtomicI64,
    /// Whether a feed stream is open now (for metrics).
    connected: AtomicBool,
}

impl RevocationSet {
    /// Whether the token's session or user has been revoked.
    pub fn is_revoked(&self, claims: &AccessClaims) -> bool {
        self.inner.sessions.contains_key(&claims.sid)
            || self
                .inner
                .users
                .get(&claims.sub)
                .is_some_and(|entry| claims.iat <= entry.0)
    }

    /// Whether `policy` says to refuse this token because the feed is stale:
    /// only under `refuse`, only once stale longer than `max_staleness`, and
    /// only for tokens issued before the feed went silent.
    pub fn refused_as_stale(
        &self,
        claims: &AccessClaims,
        policy: StalePolicy,
        max_staleness: Duration,
        now: i64,
    ) -> bool {
        if policy == StalePolicy::Serve {
            return false;
        }
        let last = self.last_contact();
        let bound = i64::try_from(max_staleness.as_secs()).unwrap_or(i64::MAX);
        now - last > bound && claims.iat <= last.max(1)
    }

    /// Applies one event from the feed.
    pub fn apply(&self, event: &RevocationEvent) {
        let forget_after = event.expires_at.as_ref().map_or(0, |t| t.seconds);
        match &event.target {
            Some(Target::SessionId(session_id)) => {
                self.inner.sessions.insert(session_id.clone(), forget_after);
            }
            Some(Target::User(user)) => {
                let before = user.issued_before.as_ref().map_or(0, |t| t.seconds);
                let mut entry = self
                    .inner
                    .users
                    .entry(user.user_id.clone())
                    .or_insert((before, forget_after));
                // Keep the widest revocation if several arrive.
                entry.0 = entry.0.max(before);
                entry.1 = entry.1.max(forget_after);
            }
            None => {}
        }
        self.inner.cursor.fetch_max(event.cursor, Ordering::AcqRel);
    }

    /// Records that the feed answered at `now`.
    pub fn touch(&self, now: i64) {
        self.inner.last_contact.fetch_max(now, Ordering::AcqRel);
    }

    /// Forgets entries whose tokens have all expired.
    pub fn purge(&self, now: i64) {
        self.inner
            .sessions
            .retain(|_, forget_after| *forget_after > now);
        self.inner
            .users
            .retain(|_, (_, forget_after)| *forget_after > now);
    }

    /// The cursor to resume the feed from.
    pub fn cursor(&self) -> i64 {
        self.inner.cursor.load(Ordering::Acquire)
    }

    /// When the feed last proved alive (Unix seconds; 0 = never).
    pub fn last_contact(&self) -> i64 {
        self.inner.last_contact.load(Ordering::Acquire)
    }

    /// Records whether a feed stream is open.
    pub fn set_connected(&self, connected: bool) {
        self.inner.connected.store(connected, Ordering::Release);
    }

    /// Whether a feed stream is open.
    pub fn is_connected(&self) -> bool {
        self.inner.connected.load(Ordering::Acquire)
    }

    /// How many entries are held (sessions, users).
    pub fn len(&self) -> (usize, usize) {
        (self.inner.sessions.len(), self.inner.users.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{proto::jobsearch::auth::v1::UserRevocation, timestamp};

    fn claims(sub: &str, sid: &str, iat: i64) -> AccessClaims {
        AccessClaims {
            iss: "i".into(),
            aud: "a".into(),
            sub: sub.into(),
            sid: sid.into(),
            jti: "j".into(),
            iat,
            nbf: iat,
            exp: iat + 900,
            username: "u".into(),
            staff: false,
        }
    }

    fn session_event(cursor: i64, sid: &str, expires: i64) -> RevocationEvent {
        RevocationEvent {
            cursor,
            target: Some(Target::SessionId(sid.into())),
            expires_at: Some(timestamp(expires)),
            reason: "logout".into(),
        }
    }

    #[test]
    fn a_revoked_session_refuses_its_tokens_only() {
        let set = RevocationSet::default();
        set.apply(&session_event(7, "s1", 2000));
        assert!(set.is_revoked(&claims("u1", "s1", 100)));
        assert!(!set.is_revoked(&claims("u1", "s2", 100)));
        assert_eq!(set.cursor(), 7);
    }

    #[test]
    fn a_user_revocation_covers_tokens_issued_up_to_its_time() {
        let set = RevocationSet::default();
        set.apply(&RevocationEvent {
            cursor: 1,
            target: Some(Target::User(UserRevocation {
                user_id: "u1".into(),
                issued_before: Some(timestamp(500)),
            })),
            expires_at: Some(timestamp(2000)),
            reason: "user_disabled".into(),
        });
        assert!(set.is_revoked(&claims("u1", "s", 500)));
        assert!(!set.is_revoked(&claims("u1", "s", 501)));
        assert!(!set.is_revoked(&claims("u2", "s", 100)));
    }

    #[test]
    fn applying_an_event_twice_is_harmless_and_the_cursor_never_goes_back() {
        let set = RevocationSet::default();
        set.apply(&session_event(9, "s1", 2000));
        set.apply(&session_event(3, "s0", 2000));
        set.apply(&session_event(9, "s1", 2000));
        assert_eq!(set.cursor(), 9);
        assert_eq!(set.len(), (2, 0));
    }

    #[test]
    fn entries_are_forgotten_once_their_tokens_expired() {
        let set = RevocationSet::default();
        set.apply(&session_event(1, "old", 1000));
        set.apply(&session_event(2, "new", 3000));
        set.purge(2000);
        assert_eq!(set.len(), (1, 0));
        assert!(set.is_revoked(&claims("u", "new", 10)));
    }

    #[test]
    fn the_stale_policy_refuses_old_tokens_only_when_asked_and_stale() {
        let set = RevocationSet::default();
        set.touch(1000);
        let old = claims("u", "s", 900);
        let fresh = claims("u", "s", 1100);
        let bound = Duration::from_secs(30);
        assert!(!set.refused_as_stale(&old, StalePolicy::Serve, bound, 5000));
        assert!(!set.refused_as_stale(&old, StalePolicy::Refuse, bound, 1020));
        assert!(set.refused_as_stale(&old, StalePolicy::Refuse, bound, 5000));
        assert!(!set.refused_as_stale(&fresh, StalePolicy::Refuse, bound, 5000));
    }
}
