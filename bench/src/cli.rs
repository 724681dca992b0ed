//! The command line: what each subcommand takes, and running it.

use std::{path::PathBuf, process::ExitCode, time::Duration};

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::{
    depth, fixture, probes,
    report::Report,
    runner::RunOptions,
    seed, sidebyside, storm,
    workloads::{self, Setup},
};

/// Load tool for the jobsearch services.
#[derive(Debug, Parser)]
#[command(name = "bench", version)]
pub struct Cli {
    /// Threads of the client runtime (the load shares the machine with the
    /// services, so more is not always faster).
    #[arg(long, global = true, default_value_t = 2)]
    pub threads: usize,
    #[command(subcommand)]
    command: Command,
}

/// Where the services are and who to act as.
#[derive(Debug, Clone, Args)]
struct Target {
    /// The auth-service.
    #[arg(long, env = "BENCH_AUTH_URL", default_value = "http://127.0.0.1:50051")]
    auth: String,
    /// The jobs-service.
    #[arg(long, env = "BENCH_JOBS_URL", default_value = "http://127.0.0.1:50052")]
    jobs: String,
    /// Seeded users {prefix}1..={prefix}N; worker i acts as user i mod N.
    #[arg(long, default_value_t = 10)]
    users: usize,
    /// Username prefix of the seeded users.
    #[arg(long, default_value = "bench")]
    prefix: String,
    /// Their password (the baseline seeder's default).
    #[arg(
        long,
        env = "BENCH_PASSWORD",
        default_value = "Bench-Passw0rd!2024",
        hide_env_values = true,
        hide_default_value = true
    )]
    password: String,
    /// HTTP/2 connections per service; calls in flight share them.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Deadline of each call.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    timeout: Duration,
}

impl Target {
    fn setup(&self) -> Setup {
        Setup {
            auth_url: self.auth.clone(),
            jobs_url: self.jobs.clone(),
            connections: self.connections,
            users: self.users,
            prefix: self.prefix.clone(),
            password: self.password.clone(),
            timeout: self.timeout,
        }
    }
}

/// How much load, for how long.
#[derive(Debug, Clone, Args)]
struct Load {
    /// Calls in flight at once.
    #[arg(short = 'c', long, default_value_t = 16)]
    concurrency: usize,
    /// Measured time (default 10s unless --requests is given).
    #[arg(short = 'd', long, value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Measured calls, instead of a duration.
    #[arg(short = 'n', long)]
    requests: Option<u64>,
    /// Unmeasured time first.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    warmup: Duration,
    /// Pace calls at this many per second (open loop; latency counts from
    /// when each call was due).
    #[arg(long)]
    rate: Option<f64>,
}

impl Load {
    fn options(&self) -> RunOptions {
        RunOptions {
            concurrency: self.concurrency,
            warmup: self.warmup,
            duration: self
                .duration
                .or(self.requests.is_none().then_some(Duration::from_secs(10))),
            requests: self.requests,
            rate: self.rate,
        }
    }
}

/// Where results go.
#[derive(Debug, Clone, Args)]
struct Output {
    /// Also write the figures as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Exit 0 even if calls failed (otherwise any failure exits 1).
    #[arg(long)]
    allow_errors: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lists the workloads.
    Workloads,
    /// Runs one workload.
    Run {
        /// A name from `bench workloads`.
        workload: String,
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        load: Load,
        #[command(flatten)]
        output: Output,
    },
    /// Saturates Login while measuring ListJobPostings latency.
    LoginStorm {
        #[command(flatten)]
        target: Target,
        /// Logins in flight (keep it above the hashing concurrency).
        #[arg(long, default_value_t = 16)]
        login_concurrency: usize,
        /// List calls in flight at most.
        #[arg(long, default_value_t = 8)]
        list_concurrency: usize,
        /// List calls per second (paced; 0 = as fast as they go).
        #[arg(long, default_value_t = 200.0)]
        list_rate: f64,
        #[arg(short = 'd', long, default_value = "10s", value_parser = parse_duration)]
        duration: Duration,
        #[arg(long, default_value = "2s", value_parser = parse_duration)]
        warmup: Duration,
        #[command(flatten)]
        output: Output,
    },
    /// Seeds users, job sites and postings (idempotent).
    Seed {
        #[command(flatten)]
        target: Target,
        /// Job sites per user.
        #[arg(long, default_value_t = 3)]
        sites: usize,
        /// Postings per user, round-robin over their sites.
        #[arg(long, default_value_t = 50)]
        postings: usize,
        /// RNG seed of the field values.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Seeds users with a long job search each: postings with stage
    /// histories (~3 events each), contacts and interviews (issue 9's
    /// performance shape; idempotent). E.g. `--prefix depth --users 1`.
    SeedDepth {
        #[command(flatten)]
        target: Target,
        /// Postings per user.
        #[arg(long, default_value_t = 2000)]
        postings: usize,
        /// Contacts per user.
        #[arg(long, default_value_t = 300)]
        contacts: usize,
        /// Interviews per user (on postings that got a conversation).
        #[arg(long, default_value_t = 100)]
        interviews: usize,
        /// Applications spread over this many months before now.
        #[arg(long, default_value_t = 9)]
        months: i64,
        /// Calls in flight while seeding.
        #[arg(short = 'c', long, default_value_t = 16)]
        concurrency: usize,
        /// RNG seed of the field values.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Times single argon2id verifications (AUTH_ARGON2_* parameters).
    Argon2 {
        #[arg(long, default_value_t = 20)]
        samples: usize,
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Measures process start → SERVING and idle memory of a service.
    Startup {
        /// host:port the service listens on.
        #[arg(long)]
        addr: String,
        /// Health name that must be SERVING.
        #[arg(long, default_value = "")]
        service: String,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Idle time before reading the resident set.
        #[arg(long, default_value = "2s", value_parser = parse_duration)]
        idle: Duration,
        #[arg(long)]
        json: Option<PathBuf>,
        /// The service's command line (its environment is inherited).
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Writes a pre-encoded gRPC request body (for h2load -d).
    GrpcBody { workload: String, out: PathBuf },
    /// Logs in the first seeded user and writes `Bearer <token>` to a file
    /// readable only by its owner (for h2load -H).
    Token {
        #[command(flatten)]
        target: Target,
        out: PathBuf,
    },
    /// Writes the side-by-side markdown from a results directory.
    Report {
        results: PathBuf,
        out: PathBuf,
        /// Hand-written markdown (profile findings, fixes) to include.
        #[arg(long)]
        notes: Option<PathBuf>,
    },
}

/// Parses `250ms`, `10s`, `2m` or bare seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or((text, "s"), |i| text.split_at(i));
    let value: f64 = number
        .parse()
        .map_err(|_| format!("not a duration: {text:?}"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("unknown unit in {text:?} (ms, s, m)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| e.to_string())
}

fn save_json(path: Option<&PathBuf>, value: &impl Serialize) -> anyhow::Result<()> {
    if let Some(path) = path {
        std::fs::write(path, serde_json::to_string_pretty(value)? + "\n")?;
    }
    Ok(())
}

fn verdict(reports: &[&Report], output: &Output) -> ExitCode {
    let errors: u64 = reports.iter().map(|r| r.error_count()).sum();
    if errors > 0 && !output.allow_errors {
        eprintln!("bench: {errors} call(s) failed");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn describe(report: &mut Report, target: &Target, options: &RunOptions, url: &str) {
    report.target = url.to_owned();
    report.connections = target.connections;
    report.concurrency = options.concurrency;
    report.rate = options.rate;
}

/// Runs the parsed command.
pub async fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Workloads => {
            for (name, what) in workloads::NAMES {
                println!("{name:<15} {what}");
            }
        }
        Command::Run {
            workload,
            target,
            load,
            output,
        } => {
            let options = load.options();
            let mut report = workloads::run(&workload, &target.setup(), &options).await?;
            let url = match workload.as_str() {
                "health-auth" | "get-me" | "login" | "refresh" => target.auth.clone(),
                "mixed" => format!("{} + {}", target.auth, target.jobs),
                _ => target.jobs.clone(),
            };
            describe(&mut report, &target, &options, &url);
            print!("{}", report.text());
            save_json(output.json.as_ref(), &report)?;
            return Ok(verdict(&[&report], &output));
        }
        Command::LoginStorm {
            target,
            login_concurrency,
            list_concurrency,
            list_rate,
            duration,
            warmup,
            output,
        } => {
            let login = Load {
                concurrency: login_concurrency,
                duration: Some(duration),
                requests: None,
                warmup,
                rate: None,
            }
            .options();
            let rate = (list_rate > 0.0).then_some(list_rate);
            let list = Load {
                concurrency: list_concurrency,
                duration: Some(duration),
                requests: None,
                warmup,
                rate,
            }
            .options();
            let mut result = storm::run(&target.setup(), &login, &list).await?;
            describe(&mut result.login, &target, &login, &target.auth);
            describe(&mut result.list, &target, &list, &target.jobs);
            print!("{}{}", result.login.text(), result.list.text());
            save_json(output.json.as_ref(), &result)?;
            return Ok(verdict(&[&result.login, &result.list], &output));
        }
        Command::Seed {
            target,
            sites,
            postings,
            seed,
        } => {
            let shape = seed::Shape {
                sites,
                postings,
                seed,
            };
            let (users, made) = seed::seed(&target.setup(), shape).await?;
            println!(
                "seed: {} users ({}1..{}{}; {users} new), {sites} sites and {postings} postings each; {made} postings created",
                target.users, target.prefix, target.prefix, target.users
            );
        }
        Command::SeedDepth {
            target,
            postings,
            contacts,
            interviews,
            months,
            concurrency,
            seed,
        } => {
            let shape = depth::Shape {
                postings,
                contacts,
                interviews,
                months,
                concurrency,
                seed,
            };
            let started = std::time::Instant::now();
            let made = depth::seed(&target.setup(), shape).await?;
            println!(
                "seed-depth: {} users ({}1..{}{}; {} new); created {} postings, {} stage events, {} contacts, {} interviews in {:.1} s",
                target.users,
                target.prefix,
                target.prefix,
                target.users,
                made.users,
                made.postings,
                made.events,
                made.contacts,
                made.interviews,
                started.elapsed().as_secs_f64()
            );
        }
        Command::Argon2 { samples, json } => {
            let report = probes::argon2(samples).await?;
            println!(
                "argon2id m={} KiB t={} p={}: median {:.2} ms (min {:.2}, mean {:.2}, {} samples); {} cores → ceiling {:.1} logins/s",
                report.memory_kib,
                report.iterations,
                report.parallelism,
                report.median_ms,
                report.min_ms,
                report.mean_ms,
                report.samples,
                report.cores,
                report.ceiling_per_s
            );
            save_json(json.as_ref(), &report)?;
        }
        Command::Startup {
            addr,
            service,
            runs,
            idle,
            json,
            command,
        } => {
            let report = probes::startup(&command, &addr, &service, runs, idle).await?;
            println!(
                "startup {}: start → SERVING median {:.1} ms (max {:.1}, runs {:?}); idle RSS max {} KiB",
                command.first().map_or("", String::as_str),
                report.median_ms,
                report.max_ms,
                report.start_to_serving_ms,
                report.max_idle_rss_kib
            );
            save_json(json.as_ref(), &report)?;
        }
        Command::GrpcBody { workload, out } => {
            std::fs::write(&out, probes::request_body(&workload)?)?;
        }
        Command::Token { target, out } => {
            let setup = target.setup();
            let mut auth =
                shared::proto::jobsearch::auth::v1::auth_service_client::AuthServiceClient::new(
                    setup.channels(&setup.auth_url).await?.get(0),
                );
            let tokens =
                fixture::login(&mut auth, &format!("{}1", setup.prefix), &setup.password).await?;
            probes::write_private(&out, format!("Bearer {}", tokens.access_token).as_bytes())?;
        }
        Command::Report {
            results,
            out,
            notes,
        } => {
            let markdown = sidebyside::render(&results, notes.as_deref())?;
            std::fs::write(&out, markdown)?;
            println!("bench: wrote {}", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("3h").is_err());
    }
}
