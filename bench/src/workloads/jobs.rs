//! Single-call workloads on the jobs-service (and the health check, which
//! both services serve the same way).

use rand::{SeedableRng as _, rngs::StdRng};
use shared::proto::jobsearch::jobs::v1::{
    CreateJobPostingRequest, GetJobPostingRequest, GetJobSiteRequest, ListJobPostingsRequest,
    ListJobSitesRequest,
};
use tonic_health::pb::HealthCheckRequest;

use super::{
    Bearer, Channels, Outcome, Setup, Worker, Workload, authed,
    raw::{RawClient, path},
};
use crate::{fixture::Sessions, seed};

/// Page size of the list workloads: the baseline's list returns all 50
/// postings of a seeded user, so this is a like-for-like page.
pub const LIST_PAGE_SIZE: i32 = 50;

/// A jobs-service client for worker `index`, acting as that worker's user.
pub(super) fn client_for(
    channels: &Channels,
    sessions: &Sessions,
    index: usize,
) -> (RawClient, Bearer) {
    let session = sessions.of(index);
    (RawClient::new(channels.get(index)), session.bearer.clone())
}

/// `grpc.health.v1.Health/Check` for the whole server: the per-call floor
/// of the gRPC stack, no token, no database.
#[derive(Debug)]
pub struct Health {
    name: &'static str,
    channels: Channels,
}

impl Health {
    pub async fn new(setup: &Setup, url: &str, name: &'static str) -> anyhow::Result<Self> {
        Ok(Self {
            name,
            channels: setup.channels(url).await?,
        })
    }
}

#[derive(Debug)]
pub struct HealthWorker(RawClient);

impl Worker for HealthWorker {
    async fn call(&mut self) -> Outcome {
        let request = tonic::Request::new(HealthCheckRequest::default());
        let result = self.0.call(path::HEALTH_CHECK, request).await;
        Outcome::of(0, &result)
    }
}

impl Workload for Health {
    type Worker = HealthWorker;
    fn name(&self) -> &'static str {
        self.name
    }
    fn operations(&self) -> &'static [&'static str] {
        &["check"]
    }
    async fn worker(&self, index: usize) -> anyhow::Result<HealthWorker> {
        Ok(HealthWorker(RawClient::new(self.channels.get(index))))
    }
}

/// Declares a workload over the seeded users' data: its struct, constructor
/// and `Workload` impl; `$worker` is built from `(client, bearer, session, index)`.
/// The operations are the label alone unless listed after it.
macro_rules! jobs_workload {
    ($name:ident, $label:literal, $worker:ident, $make:expr) => {
        jobs_workload!($name, $label, [$label], $worker, $make);
    };
    ($name:ident, $label:literal, [$($operation:literal),+], $worker:ident, $make:expr) => {
        #[derive(Debug)]
        pub struct $name {
            channels: Channels,
            sessions: Sessions,
        }

        impl $name {
            pub async fn new(setup: &Setup) -> anyhow::Result<Self> {
                let sessions = setup.sessions().await?;
                sessions.require_data()?;
                Ok(Self {
                    channels: setup.channels(&setup.jobs_url).await?,
                    sessions,
                })
            }
        }

        impl Workload for $name {
            type Worker = $worker;
            fn name(&self) -> &'static str {
                $label
            }
            fn operations(&self) -> &'static [&'static str] {
                &[$($operation),+]
            }
            async fn worker(&self, index: usize) -> anyhow::Result<$worker> {
                let (client, bearer) = client_for(&self.channels, &self.sessions, index);
                let session = self.sessions.of(index);
                let make: fn(RawClient, Bearer, &crate::fixture::Session, usize) -> $worker = $make;
                Ok(make(client, bearer, session, index))
            }
        }
    };
}

/// `ListJobPostings`, first page of 50 of the worker's user.
#[derive(Debug)]
pub struct ListPostingsWorker {
    client: RawClient,
    bearer: Bearer,
}

jobs_workload!(
    ListPostings,
    "list-postings",
    ListPostingsWorker,
    |client, bearer, _, _| ListPostingsWorker { client, bearer }
);

impl Worker for ListPostingsWorker {
    async fn call(&mut self) -> Outcome {
        let request = ListJobPostingsRequest {
            page_size: LIST_PAGE_SIZE,
            ..Default::default()
        };
        let result = self
            .client
            .call(path::LIST_JOB_POSTINGS, authed(request, &self.bearer))
            .await;
        Outcome::of(0, &result)
    }
}

/// `ListJobSites` of the worker's user.
#[derive(Debug)]
pub struct ListSitesWorker {
    client: RawClient,
    bearer: Bearer,
}

jobs_workload!(
    ListSites,
    "list-sites",
    ListSitesWorker,
    |client, bearer, _, _| ListSitesWorker { client, bearer }
);

impl Worker for ListSitesWorker {
    async fn call(&mut self) -> Outcome {
        let result = self
            .client
            .call(
                path::LIST_JOB_SITES,
                authed(ListJobSitesRequest::default(), &self.bearer),
            )
            .await;
        Outcome::of(0, &result)
    }
}

/// `GetJobPosting`, cycling through the user's postings.
#[derive(Debug)]
pub struct GetPostingWorker {
    client: RawClient,
    bearer: Bearer,
    ids: Vec<String>,
    next: usize,
}

jobs_workload!(
    GetPosting,
    "get-posting",
    GetPostingWorker,
    |client, bearer, session, index| GetPostingWorker {
        client,
        bearer,
        ids: session.posting_ids.clone(),
        next: index,
    }
);

impl Worker for GetPostingWorker {
    async fn call(&mut self) -> Outcome {
        self.next = (self.next + 1) % self.ids.len();
        let id = self.ids[self.next].clone();
        let result = self
            .client
            .call(
                path::GET_JOB_POSTING,
                authed(GetJobPostingRequest { id }, &self.bearer),
            )
            .await;
        Outcome::of(0, &result)
    }
}

/// `GetJobSite`, cycling through the user's sites: the cheapest
/// authenticated read, so its gap to the health check is the interceptor.
#[derive(Debug)]
pub struct GetSiteWorker {
    client: RawClient,
    bearer: Bearer,
    ids: Vec<String>,
    next: usize,
}

jobs_workload!(
    GetSite,
    "get-site",
    GetSiteWorker,
    |client, bearer, session, index| GetSiteWorker {
        client,
        bearer,
        ids: session.site_ids.clone(),
        next: index,
    }
);

impl Worker for GetSiteWorker {
    async fn call(&mut self) -> Outcome {
        self.next = (self.next + 1) % self.ids.len();
        let id = self.ids[self.next].clone();
        let result = self
            .client
            .call(
                path::GET_JOB_SITE,
                authed(GetJobSiteRequest { id }, &self.bearer),
            )
            .await;
        Outcome::of(0, &result)
    }
}

/// `CreateJobPosting` of a seed-shaped posting (~1 KB) on the user's first
/// site.
#[derive(Debug)]
pub struct CreatePostingWorker {
    client: RawClient,
    bearer: Bearer,
    site_id: String,
    rng: StdRng,
}

jobs_workload!(
    CreatePosting,
    "create-posting",
    CreatePostingWorker,
    |client, bearer, session, index| CreatePostingWorker {
        client,
        bearer,
        site_id: session.site_ids[0].clone(),
        rng: StdRng::seed_from_u64(index as u64),
    }
);

impl Worker for CreatePostingWorker {
    async fn call(&mut self) -> Outcome {
        let posting = seed::posting(&mut self.rng, &self.site_id);
        let request = CreateJobPostingRequest {
            job_posting: Some(posting),
        };
        let result = self
            .client
            .call(path::CREATE_JOB_POSTING, authed(request, &self.bearer))
            .await;
        Outcome::of(0, &result)
    }
}
