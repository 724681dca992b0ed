//! The login storm: Login saturated on the auth-service while
//! ListJobPostings keeps arriving at the jobs-service, both on this
//! machine's cores. Shows whether argon2 work (bounded by the hashing
//! semaphore, on the blocking pool) starves the reads: the target is a
//! list p99 under 10 ms while logins queue.

use serde::Serialize;

use crate::{
    report::Report,
    runner::{self, RunOptions},
    workloads::{Setup, auth::Login, jobs::ListPostings},
};

/// Both sides of the storm.
#[derive(Debug, Serialize)]
pub struct StormReport {
    pub login: Report,
    pub list: Report,
}

/// Builds both workloads first (their set-up logins must not land in the
/// storm), then runs them side by side for the same time.
pub async fn run(
    setup: &Setup,
    login: &RunOptions,
    list: &RunOptions,
) -> anyhow::Result<StormReport> {
    let storm = Login::new(setup).await?;
    let reads = ListPostings::new(setup).await?;
    let (login_report, list_report) =
        tokio::join!(runner::run(storm, login), runner::run(reads, list));
    Ok(StormReport {
        login: login_report?,
        list: list_report?,
    })
}
