//! Measurements that are not load: one argon2id verification (the unit
//! that bounds Login throughput), process start to SERVING with idle
//! memory, and the pre-encoded request bodies and token file that h2load
//! needs for the cross-check.

use std::{
    io::Write as _,
    os::unix::fs::OpenOptionsExt as _,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context as _;
use auth_service::{config::Config, password::PasswordHasher};
use serde::Serialize;
use shared::proto::jobsearch::jobs::v1::ListJobPostingsRequest;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use crate::workloads::jobs::LIST_PAGE_SIZE;

/// Timing of single argon2id verifications.
#[derive(Debug, Serialize)]
pub struct Argon2Report {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub samples: usize,
    pub median_ms: f64,
    pub mean_ms: f64,
    pub min_ms: f64,
    pub cores: usize,
    /// cores × 1 / median verify time: the Login ceiling of this machine.
    pub ceiling_per_s: f64,
}

/// Times `samples` verifications one at a time, with the auth-service's
/// own hasher and its configured parameters (`AUTH_ARGON2_*`, else the
/// defaults), so the figure is exactly the work inside one Login.
pub async fn argon2(samples: usize) -> anyhow::Result<Argon2Report> {
    let vars = std::env::vars().filter(|(k, _)| k.starts_with("AUTH_ARGON2_"));
    let config = Config::from_vars(vars).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hasher = PasswordHasher::new(
        config.argon2_memory_kib,
        config.argon2_iterations,
        config.argon2_parallelism,
        1,
    )?;
    let password = "Bench-Passw0rd!2024";
    let hash = hasher.hash(password.into()).await?;
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples.max(1) {
        let started = Instant::now();
        let ok = hasher.verify(password.into(), Some(hash.clone())).await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(ok, "the password did not verify");
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    Ok(Argon2Report {
        memory_kib: config.argon2_memory_kib,
        iterations: config.argon2_iterations,
        parallelism: config.argon2_parallelism,
        samples: times.len(),
        median_ms: median,
        mean_ms: times.iter().sum::<f64>() / times.len() as f64,
        min_ms: times[0],
        cores,
        ceiling_per_s: cores as f64 * 1000.0 / median,
    })
}

/// Start-up figures of one service.
#[derive(Debug, Serialize)]
pub struct StartupReport {
    pub command: String,
    /// Milliseconds from spawning the process to the first SERVING answer,
    /// one per run.
    pub start_to_serving_ms: Vec<f64>,
    pub median_ms: f64,
    pub max_ms: f64,
    /// Resident memory after idling, KiB, one per run.
    pub idle_rss_kib: Vec<u64>,
    pub max_idle_rss_kib: u64,
}

/// Polls `addr` until `service` is SERVING; the time it took.
async fn wait_serving(addr: &str, service: &str, limit: Duration) -> anyhow::Result<()> {
    let endpoint = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?
        .connect_timeout(Duration::from_millis(200))
        .timeout(Duration::from_millis(500));
    let deadline = Instant::now() + limit;
    let mut client = None;
    while Instant::now() < deadline {
        if client.is_none() {
            client = endpoint.connect().await.ok().map(HealthClient::new);
        }
        if let Some(health) = client.as_mut() {
            let request = HealthCheckRequest {
                service: service.to_owned(),
            };
            match health.check(request).await {
                Ok(answer) if answer.get_ref().status == ServingStatus::Serving as i32 => {
                    return Ok(());
                }
                Ok(_) | Err(_) => {}
            }
        }
        // Short enough not to blur a ~10 ms start, long enough not to be
        // the thing that slows it.
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    anyhow::bail!("{service} at {addr} not SERVING within {limit:?}")
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS in /proc/PID/status")
}

/// Stops a child with SIGTERM (graceful, as an orchestrator would) and
/// reaps it.
fn stop(child: &mut Child) -> anyhow::Result<()> {
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    child.wait().context("waiting for the service to exit")?;
    Ok(())
}

/// Starts `command` `runs` times; each time measures spawn → SERVING of
/// `service` at `addr`, then idles for `idle` and reads the resident set.
pub async fn startup(
    command: &[String],
    addr: &str,
    service: &str,
    runs: usize,
    idle: Duration,
) -> anyhow::Result<StartupReport> {
    let (program, args) = command.split_first().context("no command given")?;
    let mut times = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        // The service's own logs would only interleave with ours.
        let mut child = Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {program}"))?;
        let ready = wait_serving(addr, service, Duration::from_secs(20)).await;
        let elapsed = started.elapsed();
        if let Err(e) = ready {
            let _ = stop(&mut child);
            return Err(e);
        }
        tokio::time::sleep(idle).await;
        let resident = rss_kib(child.id());
        stop(&mut child)?;
        times.push(elapsed.as_secs_f64() * 1000.0);
        rss.push(resident?);
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(StartupReport {
        command: command.join(" "),
        median_ms: sorted[sorted.len() / 2],
        max_ms: sorted[sorted.len() - 1],
        start_to_serving_ms: times,
        max_idle_rss_kib: rss.iter().copied().max().unwrap_or(0),
        idle_rss_kib: rss,
    })
}

/// A gRPC request body as sent on the wire: uncompressed flag, 4-byte
/// big-endian length, the protobuf message.
pub fn grpc_frame(message: &impl prost::Message) -> Vec<u8> {
    let body = message.encode_to_vec();
    let mut frame = Vec::with_capacity(5 + body.len());
    frame.push(0);
    frame.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes());
    frame.extend_from_slice(&body);
    frame
}

/// The body of the named workload's request, for h2load's `-d`.
pub fn request_body(workload: &str) -> anyhow::Result<Vec<u8>> {
    Ok(match workload {
        "health" => grpc_frame(&HealthCheckRequest::default()),
        "list-postings" => grpc_frame(&ListJobPostingsRequest {
            page_size: LIST_PAGE_SIZE,
            ..Default::default()
        }),
        other => anyhow::bail!("no pre-encoded body for {other:?} (health, list-postings)"),
    })
}

/// Writes `contents` to `path`, readable by the owner only (tokens).
pub fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(contents)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_request_is_framed_with_its_length() {
        // page_size = 50: field 1, varint → 0x08 0x32.
        assert_eq!(
            request_body("list-postings").unwrap(),
            vec![0, 0, 0, 0, 2, 0x08, 0x32]
        );
        assert_eq!(request_body("health").unwrap(), vec![0, 0, 0, 0, 0]);
    }
}
