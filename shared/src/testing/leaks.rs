//! Looking for secrets where they must never be: a real binary's logs,
//! the errors a client receives, and the bytes of SQLite files.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use tonic::Status;

/// Recognisable secrets, each with a label for failure messages.
#[derive(Debug, Default)]
pub struct Secrets(Vec<(String, String)>);

impl Secrets {
    /// Adds a secret (and returns it, for use in the call that sends it).
    pub fn add(&mut self, label: &str, value: impl Into<String>) -> String {
        let value = value.into();
        assert!(
            value.len() >= 8,
            "{label}: too short to search for reliably"
        );
        self.0.push((label.to_owned(), value.clone()));
        value
    }

    /// The labels of the secrets found in `haystack`.
    pub fn found_in(&self, haystack: &[u8]) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(_, value)| contains(haystack, value.as_bytes()))
            .map(|(label, _)| label.as_str())
            .collect()
    }

    /// Asserts no secret is in `haystack`, naming `place` if one is.
    pub fn assert_absent(&self, place: &str, haystack: &[u8]) {
        let found = self.found_in(haystack);
        assert!(found.is_empty(), "{place} holds {found:?}");
    }

    /// Asserts no secret is in what a client sees of `status`.
    pub fn assert_absent_from_status(&self, call: &str, status: &Status) {
        let mut seen = status.message().as_bytes().to_vec();
        seen.extend_from_slice(status.details());
        for value in status.metadata().clone().into_headers().values() {
            seen.extend_from_slice(value.as_bytes());
        }
        self.assert_absent(&format!("the error of {call}"), &seen);
    }

    /// How many secrets are tracked.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none is tracked.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every SQLite file in `dir` (the database and its `-wal` and `-shm`),
/// with its bytes; the WAL holds recent writes not yet in the main file.
pub fn sqlite_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the data directory exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.to_string_lossy().contains(".db"))
        .map(|path| {
            let bytes = std::fs::read(&path).expect("readable");
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

/// A free port on the loopback interface.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Starts `binary` with `env`, its stdout and stderr going to `log` (a
/// file, so that trace-level output never blocks on a pipe).
pub fn spawn_logged(binary: &str, env: &[(&str, String)], log: &Path) -> Child {
    let file = std::fs::File::create(log).expect("a log file");
    let mut command = Command::new(binary);
    command
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(file.try_clone().expect("a second handle"))
        .stderr(file);
    command
        .stdin(Stdio::null())
        .spawn()
        .expect("the binary starts")
}

/// Sends SIGTERM and waits for the exit (so every log line is written).
pub fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("the binary did not stop within 30 s of SIGTERM");
}
