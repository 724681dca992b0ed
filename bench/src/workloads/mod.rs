//! Workloads: what one call of a load run does. A workload is built once
//! (connections, logged-in users) and makes one [`Worker`] per call in
//! flight; the runner calls workers back to back. To add a workload, write
//! a type implementing [`Workload`] and add a line to [`run`] and [`NAMES`].

pub mod auth;
// First: its `jobs_workload!` serves the modules after it.
#[macro_use]
pub mod jobs;
mod depth;
mod mixed;
mod raw;

use std::{future::Future, time::Duration};

use anyhow::Context as _;
use tonic::{Code, Request, Status, metadata::MetadataValue, transport::Channel};

use crate::{
    fixture::Sessions,
    report::Report,
    runner::{self, RunOptions},
};

/// What one call did: which operation (an index into
/// [`Workload::operations`]) and whether it succeeded.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub operation: usize,
    pub result: Result<(), Code>,
}

impl Outcome {
    /// The outcome of a call of operation `operation`.
    pub fn of<T>(operation: usize, result: &Result<T, Status>) -> Self {
        Self {
            operation,
            result: result.as_ref().map(|_| ()).map_err(Status::code),
        }
    }
}

/// One call in flight, called again as soon as it returns.
pub trait Worker: Send + 'static {
    /// Makes one call.
    fn call(&mut self) -> impl Future<Output = Outcome> + Send;
}

/// A kind of load.
pub trait Workload: Send + Sync + 'static {
    /// Its worker.
    type Worker: Worker;
    /// Its name on the command line and in reports.
    fn name(&self) -> &'static str;
    /// The operations it mixes; one for most workloads.
    fn operations(&self) -> &'static [&'static str];
    /// Makes worker number `index` (its client, its user, its state).
    fn worker(&self, index: usize) -> impl Future<Output = anyhow::Result<Self::Worker>> + Send;
}

/// Every workload, with what it calls.
pub const NAMES: [(&str, &str); 14] = [
    (
        "health",
        "grpc.health.v1 Check on the jobs-service (no token, no database)",
    ),
    ("health-auth", "grpc.health.v1 Check on the auth-service"),
    ("get-me", "AuthService/GetMe (token + session lookup)"),
    (
        "login",
        "AuthService/Login (argon2id verify, session insert, signing)",
    ),
    (
        "refresh",
        "AuthService/RefreshToken, each worker rotating its own chain",
    ),
    ("list-postings", "JobsService/ListJobPostings, a page of 50"),
    (
        "get-posting",
        "JobsService/GetJobPosting by id (decrypts its password)",
    ),
    (
        "get-site",
        "JobsService/GetJobSite by id (the interceptor-cost probe)",
    ),
    ("list-sites", "JobsService/ListJobSites"),
    (
        "create-posting",
        "JobsService/CreateJobPosting (~1 KB posting)",
    ),
    (
        "mixed",
        "a day of use: mostly reads, some writes, refreshes, rare logins",
    ),
    (
        "analytics",
        "JobsService/GetAnalytics, by nothing and by site, over 3 windows (`bench seed-depth`)",
    ),
    (
        "list-due",
        "JobsService/ListDue THIS_WEEK in a time zone, a page of 50 (`bench seed-depth`)",
    ),
    (
        "search",
        "JobsService/SearchJobPostings, common and rare words, a page of 50 (`bench seed-depth`)",
    ),
];

/// Where the services are and who to log in as.
#[derive(Debug, Clone)]
pub struct Setup {
    pub auth_url: String,
    pub jobs_url: String,
    /// HTTP/2 connections per service.
    pub connections: usize,
    /// Seeded users `{prefix}1..={prefix}{users}`.
    pub users: usize,
    pub prefix: String,
    pub password: String,
    /// Deadline of each call.
    pub timeout: Duration,
}

impl Setup {
    /// `connections` separate HTTP/2 connections to `url`.
    pub async fn channels(&self, url: &str) -> anyhow::Result<Channels> {
        let endpoint = tonic::transport::Endpoint::from_shared(url.to_owned())
            .with_context(|| format!("bad address {url}"))?
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(5))
            .timeout(self.timeout);
        let mut channels = Vec::with_capacity(self.connections);
        for _ in 0..self.connections.max(1) {
            // Each connect() is its own connection; clones of a channel
            // share one.
            channels.push(
                endpoint
                    .connect()
                    .await
                    .with_context(|| format!("cannot connect to {url}"))?,
            );
        }
        Ok(Channels(channels))
    }

    /// Logs every seeded user in once and collects their ids.
    pub async fn sessions(&self) -> anyhow::Result<Sessions> {
        let auth = self.channels(&self.auth_url).await?;
        let jobs = self.channels(&self.jobs_url).await?;
        Sessions::load(auth.get(0), jobs.get(0), self).await
    }
}

/// A fixed set of connections; worker `i` uses connection `i mod n`.
#[derive(Debug, Clone)]
pub struct Channels(Vec<Channel>);

impl Channels {
    /// The connection of worker `index`.
    pub fn get(&self, index: usize) -> Channel {
        self.0[index % self.0.len()].clone()
    }
}

/// `authorization: Bearer <token>`, parsed once.
pub type Bearer = MetadataValue<tonic::metadata::Ascii>;

/// Wraps `message` with the caller's token.
pub fn authed<T>(message: T, bearer: &Bearer) -> Request<T> {
    let mut request = Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", bearer.clone());
    request
}

/// Runs the workload called `name`.
pub async fn run(name: &str, setup: &Setup, options: &RunOptions) -> anyhow::Result<Report> {
    match name {
        "health" => {
            runner::run(
                jobs::Health::new(setup, &setup.jobs_url, "health").await?,
                options,
            )
            .await
        }
        "health-auth" => {
            runner::run(
                jobs::Health::new(setup, &setup.auth_url, "health-auth").await?,
                options,
            )
            .await
        }
        "get-me" => runner::run(auth::GetMe::new(setup).await?, options).await,
        "login" => runner::run(auth::Login::new(setup).await?, options).await,
        "refresh" => runner::run(auth::Refresh::new(setup).await?, options).await,
        "list-postings" => runner::run(jobs::ListPostings::new(setup).await?, options).await,
        "get-posting" => runner::run(jobs::GetPosting::new(setup).await?, options).await,
        "get-site" => runner::run(jobs::GetSite::new(setup).await?, options).await,
        "list-sites" => runner::run(jobs::ListSites::new(setup).await?, options).await,
        "create-posting" => runner::run(jobs::CreatePosting::new(setup).await?, options).await,
        "mixed" => runner::run(mixed::Mixed::new(setup).await?, options).await,
        "analytics" => runner::run(depth::Analytics::new(setup).await?, options).await,
        "list-due" => runner::run(depth::ListDue::new(setup).await?, options).await,
        "search" => runner::run(depth::Search::new(setup).await?, options).await,
        other => anyhow::bail!("unknown workload {other:?} (see `bench workloads`)"),
    }
}
