//! `probe`: a one-shot `grpc.health.v1` client for container health checks
//! (`HEALTHCHECK CMD ["/probe", "127.0.0.1:50051", "jobsearch.auth.v1.AuthService"]`).
//!
//! ```text
//! probe [--live] ADDR [SERVICE]
//! ```
//!
//! Calls `grpc.health.v1.Health/Check` on `ADDR` (`host:port`, or a full
//! `http://host:port` URI) for `SERVICE` (default `""`, the server as a whole)
//! and exits
//!
//! - `0` iff the answer is `SERVING`,
//! - `1` for any other answer, an error status (e.g. `NOT_FOUND` for an unknown
//!   service), a refused connection or a timeout,
//! - `2` for a usage error.
//!
//! `--live` asks only whether the process is alive: `NOT_SERVING` counts as
//! success too (the server answered; it is merely not ready, e.g. its database
//! is down). Orchestrators that *replace* unhealthy containers (ECS) should
//! use it, so that a dependency outage does not make them restart every
//! replica; routing (load balancers, compose's `service_healthy`) should use
//! the default readiness check.
//!
//! The whole check (connect and call) is bounded by `PROBE_TIMEOUT_MS`
//! (default 2000), so a hung server makes the probe fail rather than hang.
//! Plain HTTP/2 only (the services run without TLS behind a load balancer).
//! The image is `FROM scratch`: no shell, so this binary is what health checks run.

#![forbid(unsafe_code)]

use std::{process::ExitCode, time::Duration};

use tonic::transport::Endpoint;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

/// Default bound on the whole check.
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(2000);

const USAGE: &str = "usage: probe [--live] ADDR [SERVICE]\n\
    \n\
    Exit 0 iff grpc.health.v1.Health/Check on ADDR (host:port or http://host:port)\n\
    answers SERVING for SERVICE (default: \"\", the whole server); 1 otherwise;\n\
    2 for a usage error. --live also accepts NOT_SERVING (alive, not ready).\n\
    PROBE_TIMEOUT_MS bounds the check (default 2000).";

/// What to check, from the command line and the environment.
#[derive(Debug, PartialEq, Eq)]
struct Args {
    uri: String,
    service: String,
    timeout: Duration,
    /// Whether NOT_SERVING counts as success (`--live`).
    live: bool,
}

/// Parses `[--live] ADDR [SERVICE]` (without the program name) and the
/// timeout variable.
fn parse_args(args: &[String], timeout_var: Option<&str>) -> Result<Args, String> {
    let (live, args) = match args {
        [flag, rest @ ..] if flag == "--live" => (true, rest),
        _ => (false, args),
    };
    let (addr, service) = match args {
        [addr] => (addr, ""),
        [addr, service] => (addr, service.as_str()),
        _ => return Err("expected ADDR and at most one SERVICE".to_owned()),
    };
    if addr.is_empty() || addr.starts_with('-') {
        return Err(format!("not an address: {addr:?}"));
    }
    if service.starts_with('-') {
        return Err(format!(
            "not a service name: {service:?} (options go first)"
        ));
    }
    let uri = if addr.contains("://") {
        addr.clone()
    } else {
        format!("http://{addr}")
    };
    let timeout = match timeout_var {
        None => DEFAULT_TIMEOUT,
        Some(ms) => match ms.parse::<u64>() {
            Ok(ms) if ms > 0 => Duration::from_millis(ms),
            _ => {
                return Err(format!(
                    "PROBE_TIMEOUT_MS must be a positive integer, got {ms:?}"
                ));
            }
        },
    };
    Ok(Args {
        uri,
        service: service.to_owned(),
        timeout,
        live,
    })
}

/// Connects and asks once; the caller bounds the time taken.
async fn check(uri: String, service: String, timeout: Duration) -> Result<ServingStatus, String> {
    let endpoint = Endpoint::from_shared(uri)
        .map_err(|e| format!("bad address: {e}"))?
        .connect_timeout(timeout)
        .timeout(timeout);
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest { service })
        .await
        .map_err(|status| format!("{:?}: {}", status.code(), status.message()))?;
    Ok(ServingStatus::try_from(response.into_inner().status).unwrap_or(ServingStatus::Unknown))
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if matches!(argv.first().map(String::as_str), Some("-h" | "--help")) {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let timeout_var = std::env::var("PROBE_TIMEOUT_MS").ok();
    let args = match parse_args(&argv, timeout_var.as_deref()) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("probe: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("probe: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let target = format!("{} {:?}", args.uri, args.service);
    let live = args.live;
    let outcome = runtime.block_on(async {
        tokio::time::timeout(args.timeout, check(args.uri, args.service, args.timeout))
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {:?}", args.timeout)))
    });
    match outcome {
        Ok(ServingStatus::Serving) => ExitCode::SUCCESS,
        Ok(ServingStatus::NotServing) if live => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("probe: {target}: {}", status.as_str_name());
            ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("probe: {target}: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn address_without_scheme_gets_http() {
        let parsed = parse_args(&args(&["127.0.0.1:50051"]), None).unwrap();
        assert_eq!(
            parsed,
            Args {
                uri: "http://127.0.0.1:50051".to_owned(),
                service: String::new(),
                timeout: DEFAULT_TIMEOUT,
                live: false,
            }
        );
    }

    #[test]
    fn service_and_timeout_are_taken() {
        let parsed = parse_args(
            &args(&["http://[::1]:50052", "jobsearch.jobs.v1.JobsService"]),
            Some("250"),
        )
        .unwrap();
        assert_eq!(parsed.uri, "http://[::1]:50052");
        assert_eq!(parsed.service, "jobsearch.jobs.v1.JobsService");
        assert_eq!(parsed.timeout, Duration::from_millis(250));
        assert!(!parsed.live);
    }

    #[test]
    fn live_flag_comes_first() {
        let parsed = parse_args(&args(&["--live", "127.0.0.1:1", "svc"]), None).unwrap();
        assert!(parsed.live);
        assert_eq!(parsed.service, "svc");
        assert!(parse_args(&args(&["--live"]), None).is_err());
        assert!(parse_args(&args(&["127.0.0.1:1", "--live"]), None).is_err());
    }

    #[test]
    fn bad_usage_is_refused() {
        assert!(parse_args(&args(&[]), None).is_err());
        assert!(parse_args(&args(&["a:1", "b", "c"]), None).is_err());
        assert!(parse_args(&args(&["--verbose"]), None).is_err());
        assert!(parse_args(&args(&["a:1"]), Some("0")).is_err());
        assert!(parse_args(&args(&["a:1"]), Some("soon")).is_err());
    }
}
