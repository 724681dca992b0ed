//! The seeded users as a workload sees them: each logged in once (so a
//! read workload does not pay for argon2 per worker), with the ids of their
//! job sites and postings.

use std::sync::Arc;

use anyhow::Context as _;
use shared::proto::jobsearch::{
    auth::v1::{LoginRequest, LoginResponse, auth_service_client::AuthServiceClient},
    jobs::v1::{
        ListJobPostingsRequest, ListJobSitesRequest, jobs_service_client::JobsServiceClient,
    },
};
use tonic::transport::Channel;

use crate::workloads::{Bearer, Setup, authed};

/// One logged-in user and what they own.
#[derive(Debug, Clone)]
pub struct Session {
    pub username: String,
    pub bearer: Bearer,
    pub site_ids: Vec<String>,
    pub posting_ids: Vec<String>,
}

/// Every seeded user, logged in.
#[derive(Debug, Clone)]
pub struct Sessions(Arc<Vec<Session>>);

/// Logs `username` in; the error says what to do when the data is missing.
pub async fn login(
    auth: &mut AuthServiceClient<Channel>,
    username: &str,
    password: &str,
) -> anyhow::Result<LoginResponse> {
    let response = auth
        .login(LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        })
        .await
        .with_context(|| format!("login as {username} failed: seeded? (`bench seed`)"))?;
    Ok(response.into_inner())
}

/// The header value for an access token.
pub fn bearer(access_token: &str) -> anyhow::Result<Bearer> {
    format!("Bearer {access_token}")
        .parse()
        .context("access token is not a valid header value")
}

impl Sessions {
    /// Logs in `{prefix}1..={prefix}{users}` and lists their sites and
    /// (first 100) postings.
    pub async fn load(auth: Channel, jobs: Channel, setup: &Setup) -> anyhow::Result<Self> {
        anyhow::ensure!(setup.users > 0, "--users must be at least 1");
        let mut auth = AuthServiceClient::new(auth);
        let mut jobs = JobsServiceClient::new(jobs);
        let mut sessions = Vec::with_capacity(setup.users);
        for i in 1..=setup.users {
            let username = format!("{}{i}", setup.prefix);
            let tokens = login(&mut auth, &username, &setup.password).await?;
            let bearer = bearer(&tokens.access_token)?;
            let site_ids = jobs
                .list_job_sites(authed(
                    ListJobSitesRequest {
                        page_size: 100,
                        ..Default::default()
                    },
                    &bearer,
                ))
                .await
                .with_context(|| format!("listing the sites of {username}"))?
                .into_inner()
                .job_sites
                .into_iter()
                .map(|site| site.id)
                .collect();
            let posting_ids: Vec<String> = jobs
                .list_job_postings(authed(
                    ListJobPostingsRequest {
                        page_size: 100,
                        ..Default::default()
                    },
                    &bearer,
                ))
                .await
                .with_context(|| format!("listing the postings of {username}"))?
                .into_inner()
                .job_postings
                .into_iter()
                .map(|posting| posting.id)
                .collect();
            sessions.push(Session {
                username,
                bearer,
                site_ids,
                posting_ids,
            });
        }
        Ok(Self(Arc::new(sessions)))
    }

    /// The user worker `index` acts as.
    pub fn of(&self, index: usize) -> &Session {
        &self.0[index % self.0.len()]
    }

    /// Fails unless every user has at least one site and one posting (the
    /// by-id workloads need them).
    pub fn require_data(&self) -> anyhow::Result<()> {
        for session in self.0.iter() {
            anyhow::ensure!(
                !session.site_ids.is_empty() && !session.posting_ids.is_empty(),
                "{} has no sites or postings: run `bench seed` first",
                session.username
            );
        }
        Ok(())
    }
}
