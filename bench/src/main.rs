//! `bench`: the load tool of the workspace. Drives the two services with
//! tonic clients over a chosen number of HTTP/2 connections and calls in
//! flight, and reports throughput, HDR latency percentiles and errors by
//! gRPC code (text, or JSON with `--json`). Also seeds data shaped like the
//! baseline's, times one argon2id verify and process start-up, and writes
//! the side-by-side report (`scripts/benchmarks.sh` runs it all).
//!
//! ```text
//! bench seed                          # bench1..bench10, 3 sites and 50 postings each
//! bench seed-depth --prefix depth --users 1   # 2,000 postings, histories, contacts, interviews
//! bench run list-postings -c 16 -d 10s
//! bench login-storm
//! bench workloads                     # what `run` can do
//! ```

#![forbid(unsafe_code)]

mod cli;
mod depth;
mod fixture;
mod probes;
mod report;
mod runner;
mod seed;
mod sidebyside;
mod storm;
mod workloads;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cli.threads.max(1))
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("bench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::execute(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}
