//! A day of use: what a tracker's users do, weighted. Mostly reading the
//! postings list and single postings, some profile and site reads, a few
//! writes, token refreshes, and rare logins (a login costs ~1,000 reads of
//! CPU, so even 0.5 % of calls is a real share of the work). The baseline's
//! `wrk/mixed.lua` draws from the same weights.

use rand::{Rng as _, SeedableRng as _, rngs::StdRng};
use shared::proto::jobsearch::{
    auth::v1::{GetMeRequest, LoginRequest, auth_service_client::AuthServiceClient},
    jobs::v1::{
        CreateJobPostingRequest, GetJobPostingRequest, JobPosting, ListJobPostingsRequest,
        ListJobSitesRequest, PostingStatus, UpdateJobPostingRequest,
    },
};
use tonic::transport::Channel;

use super::{
    Bearer, Channels, Outcome, Setup, Worker, Workload,
    auth::RefreshWorker,
    authed,
    jobs::LIST_PAGE_SIZE,
    raw::{RawClient, path},
};
use crate::{fixture::Sessions, seed};

/// Operations and their weights per 1,000 calls.
pub const WEIGHTS: [(&str, u32); 8] = [
    ("list-postings", 400),
    ("get-posting", 250),
    ("get-me", 100),
    ("list-sites", 100),
    ("create-posting", 50),
    ("update-posting", 50),
    ("refresh", 45),
    ("login", 5),
];

const OPERATIONS: [&str; 8] = [
    WEIGHTS[0].0,
    WEIGHTS[1].0,
    WEIGHTS[2].0,
    WEIGHTS[3].0,
    WEIGHTS[4].0,
    WEIGHTS[5].0,
    WEIGHTS[6].0,
    WEIGHTS[7].0,
];

/// The mixed workload.
#[derive(Debug)]
pub struct Mixed {
    auth: Channels,
    jobs: Channels,
    sessions: Sessions,
    setup: Setup,
}

impl Mixed {
    pub async fn new(setup: &Setup) -> anyhow::Result<Self> {
        let sessions = setup.sessions().await?;
        sessions.require_data()?;
        Ok(Self {
            auth: setup.channels(&setup.auth_url).await?,
            jobs: setup.channels(&setup.jobs_url).await?,
            sessions,
            setup: setup.clone(),
        })
    }
}

/// One simulated user: their token, their ids, their own refresh chain.
#[derive(Debug)]
pub struct MixedWorker {
    jobs: RawClient,
    auth: AuthServiceClient<Channel>,
    raw_auth: RawClient,
    bearer: Bearer,
    posting_ids: Vec<String>,
    site_id: String,
    refresh: RefreshWorker,
    login: LoginRequest,
    rng: StdRng,
}

impl Workload for Mixed {
    type Worker = MixedWorker;
    fn name(&self) -> &'static str {
        "mixed"
    }
    fn operations(&self) -> &'static [&'static str] {
        &OPERATIONS
    }
    async fn worker(&self, index: usize) -> anyhow::Result<MixedWorker> {
        let session = self.sessions.of(index);
        let (refresh, _) = RefreshWorker::start(self.auth.get(index), &self.setup, index).await?;
        Ok(MixedWorker {
            jobs: RawClient::new(self.jobs.get(index)),
            auth: AuthServiceClient::new(self.auth.get(index)),
            raw_auth: RawClient::new(self.auth.get(index)),
            bearer: session.bearer.clone(),
            posting_ids: session.posting_ids.clone(),
            site_id: session.site_ids[0].clone(),
            refresh,
            login: LoginRequest {
                username: session.username.clone(),
                password: self.setup.password.clone(),
            },
            rng: StdRng::seed_from_u64(1000 + index as u64),
        })
    }
}

impl MixedWorker {
    fn pick(&mut self) -> usize {
        let mut roll = self.rng.gen_range(0..1000);
        for (i, (_, weight)) in WEIGHTS.iter().enumerate() {
            if roll < *weight {
                return i;
            }
            roll -= weight;
        }
        0
    }

    fn some_posting(&mut self) -> String {
        let i = self.rng.gen_range(0..self.posting_ids.len());
        self.posting_ids[i].clone()
    }
}

impl Worker for MixedWorker {
    async fn call(&mut self) -> Outcome {
        let op = self.pick();
        let bearer = &self.bearer;
        match OPERATIONS[op] {
            "list-postings" => {
                let request = ListJobPostingsRequest {
                    page_size: LIST_PAGE_SIZE,
                    ..Default::default()
                };
                let r = self
                    .jobs
                    .call(path::LIST_JOB_POSTINGS, authed(request, bearer))
                    .await;
                Outcome::of(op, &r)
            }
            "get-posting" => {
                let id = self.some_posting();
                let request = authed(GetJobPostingRequest { id }, &self.bearer);
                Outcome::of(op, &self.jobs.call(path::GET_JOB_POSTING, request).await)
            }
            "get-me" => {
                let request = authed(GetMeRequest {}, bearer);
                Outcome::of(op, &self.raw_auth.call(path::GET_ME, request).await)
            }
            "list-sites" => {
                let request = authed(ListJobSitesRequest::default(), bearer);
                Outcome::of(op, &self.jobs.call(path::LIST_JOB_SITES, request).await)
            }
            "create-posting" => {
                let posting = seed::posting(&mut self.rng, &self.site_id);
                let request = CreateJobPostingRequest {
                    job_posting: Some(posting),
                };
                let r = self
                    .jobs
                    .call(path::CREATE_JOB_POSTING, authed(request, &self.bearer))
                    .await;
                Outcome::of(op, &r)
            }
            "update-posting" => {
                let status = if self.rng.gen_bool(0.5) {
                    PostingStatus::ActivelyEngaged
                } else {
                    PostingStatus::AwaitingFeedback
                };
                let request = UpdateJobPostingRequest {
                    job_posting: Some(JobPosting {
                        id: self.some_posting(),
                        posting_status: status as i32,
                        ..Default::default()
                    }),
                    update_mask: Some(prost_types::FieldMask {
                        paths: vec!["posting_status".to_owned()],
                    }),
                };
                let r = self
                    .jobs
                    .call(path::UPDATE_JOB_POSTING, authed(request, &self.bearer))
                    .await;
                Outcome::of(op, &r)
            }
            "refresh" => self.refresh.rotate(op).await,
            _ => Outcome::of(op, &self.auth.login(self.login.clone()).await),
        }
    }
}
