//! Graceful shutdown observed from the client side: a log of calls made
//! while a real server binary receives SIGTERM, and the verdict on the calls
//! that were already running when the signal arrived.

use std::{
    process::{Child, Command, ExitStatus},
    sync::Mutex,
    time::{Duration, Instant},
};

use tonic::Code;

/// How long before the signal a call must have started to count as in the
/// server already (loopback takes microseconds; this absorbs scheduling).
const REACHED_SERVER: Duration = Duration::from_millis(20);

/// When a call started and ended, and how it went.
#[derive(Debug, Clone, Copy)]
pub struct Call {
    pub start: Instant,
    pub end: Instant,
    pub result: Result<(), Code>,
}

/// Every call made during a test, from any task.
#[derive(Debug, Default)]
pub struct CallLog(Mutex<Vec<Call>>);

/// What happened to the calls started before the signal.
#[derive(Debug)]
pub struct Verdict {
    /// Calls started (well) before the signal.
    pub started_before: usize,
    /// Of those, calls still running when it arrived: without any, the
    /// test proved nothing.
    pub across_signal: usize,
    /// Of those started before, the ones that failed (must be none).
    pub failed: Vec<Call>,
    /// Calls that succeeded overall, before or after the signal.
    pub succeeded: usize,
}

impl CallLog {
    /// Records a call that started at `start` and just ended.
    pub fn record(&self, start: Instant, result: Result<(), Code>) {
        let call = Call {
            start,
            end: Instant::now(),
            result,
        };
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(call);
    }

    /// The verdict for a signal sent at `sigterm_at`.
    pub fn verdict(&self, sigterm_at: Instant) -> Verdict {
        let calls = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let before: Vec<&Call> = calls
            .iter()
            .filter(|call| call.start + REACHED_SERVER <= sigterm_at)
            .collect();
        Verdict {
            started_before: before.len(),
            across_signal: before.iter().filter(|call| call.end > sigterm_at).count(),
            failed: before
                .iter()
                .filter(|call| call.result.is_err())
                .map(|call| **call)
                .collect(),
            succeeded: calls.iter().filter(|call| call.result.is_ok()).count(),
        }
    }
}

/// A loopback address with a port free right now, for a child process.
pub fn free_local_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    format!(
        "127.0.0.1:{}",
        listener.local_addr().expect("local addr").port()
    )
}

/// Sends SIGTERM to `child` and returns when it was sent.
pub fn sigterm(child: &Child) -> Instant {
    let sent_at = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -TERM failed: {status}");
    sent_at
}

/// Waits for `child` to exit without blocking the runtime.
pub async fn exit_status(mut child: Child) -> ExitStatus {
    tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("wait task")
        .expect("wait for the child")
}
