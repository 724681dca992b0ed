//! Wake-ups for revocation watchers. Writers bump a generation after their
//! transaction commits; `WatchRevocations` streams wait on it, then read the
//! table from their cursor. On PostgreSQL a listener turns NOTIFYs from
//! other replicas into the same bump, and every watcher also re-reads on a
//! short timer, so a lost notification delays an event but never loses it.

use std::time::Duration;

use tokio::sync::watch;

/// How long a watcher waits without a wake-up before re-reading anyway.
pub const POLL_FALLBACK: Duration = Duration::from_secs(1);

/// Shared wake-up signal of new revocation events.
#[derive(Debug, Clone)]
pub struct RevocationFeed {
    generation: watch::Sender<u64>,
    closing: watch::Sender<bool>,
}

impl Default for RevocationFeed {
    fn default() -> Self {
        Self {
            generation: watch::Sender::new(0),
            closing: watch::Sender::new(false),
        }
    }
}

impl RevocationFeed {
    /// Wakes every watcher (call after committing new events).
    pub fn notify(&self) {
        self.generation.send_modify(|g| *g = g.wrapping_add(1));
    }

    /// Ends every watcher's stream (at shutdown).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// A handle for one watcher.
    pub fn subscribe(&self) -> Watcher {
        Watcher {
            generation: self.generation.subscribe(),
            closing: self.closing.subscribe(),
        }
    }
}

/// One watcher's view of the feed.
#[derive(Debug)]
pub struct Watcher {
    generation: watch::Receiver<u64>,
    closing: watch::Receiver<bool>,
}

impl Watcher {
    /// Waits for a wake-up, the poll fallback or `heartbeat`, whichever is
    /// first; returns `false` once the feed is closing.
    pub async fn wait(&mut self, heartbeat: Duration) -> bool {
        if *self.closing.borrow() {
            return false;
        }
        let wait = heartbeat.min(POLL_FALLBACK);
        tokio::select! {
            _ = self.generation.changed() => true,
            () = tokio::time::sleep(wait) => true,
            _ = self.closing.wait_for(|closing| *closing) => false,
        }
    }
}

/// On PostgreSQL: turns NOTIFYs on the revocation channel (sent by any
/// replica's committing transaction) into wake-ups, reconnecting on errors.
pub async fn listen_postgres(url: String, feed: RevocationFeed) {
    use sqlx::postgres::PgListener;
    let mut retry = Duration::from_millis(100);
    loop {
        match PgListener::connect(&url).await {
            Ok(mut listener) => {
                if let Err(error) = listener
                    .listen(crate::db::revocations::NOTIFY_CHANNEL)
                    .await
                {
                    tracing::warn!(%error, "cannot LISTEN for revocations; retrying");
                } else {
                    retry = Duration::from_millis(100);
                    // Events may have been written while not listening.
                    feed.notify();
                    while listener.recv().await.is_ok() {
                        feed.notify();
                    }
                    tracing::warn!("revocation listener lost its connection; reconnecting");
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot connect the revocation listener; retrying")
            }
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(Duration::from_secs(10));
    }
}
