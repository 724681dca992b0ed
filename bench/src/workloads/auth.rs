//! Workloads on the auth-service: GetMe, Login and RefreshToken.

use shared::proto::jobsearch::auth::v1::{
    GetMeRequest, LoginRequest, RefreshTokenRequest, auth_service_client::AuthServiceClient,
};
use tonic::transport::Channel;

use super::{
    Bearer, Channels, Outcome, Setup, Worker, Workload, authed,
    raw::{RawClient, path},
};
use crate::fixture::{self, Sessions};

/// `GetMe`: token verification plus the session check and a user read.
#[derive(Debug)]
pub struct GetMe {
    channels: Channels,
    sessions: Sessions,
}

impl GetMe {
    pub async fn new(setup: &Setup) -> anyhow::Result<Self> {
        Ok(Self {
            channels: setup.channels(&setup.auth_url).await?,
            sessions: setup.sessions().await?,
        })
    }
}

#[derive(Debug)]
pub struct GetMeWorker {
    client: RawClient,
    bearer: Bearer,
}

impl Worker for GetMeWorker {
    async fn call(&mut self) -> Outcome {
        let result = self
            .client
            .call(path::GET_ME, authed(GetMeRequest {}, &self.bearer))
            .await;
        Outcome::of(0, &result)
    }
}

impl Workload for GetMe {
    type Worker = GetMeWorker;
    fn name(&self) -> &'static str {
        "get-me"
    }
    fn operations(&self) -> &'static [&'static str] {
        &["get-me"]
    }
    async fn worker(&self, index: usize) -> anyhow::Result<GetMeWorker> {
        Ok(GetMeWorker {
            client: RawClient::new(self.channels.get(index)),
            bearer: self.sessions.of(index).bearer.clone(),
        })
    }
}

/// `Login` with the right password, workers spread over the seeded users
/// (failures would be throttled; successes never are).
#[derive(Debug)]
pub struct Login {
    channels: Channels,
    setup: Setup,
}

impl Login {
    pub async fn new(setup: &Setup) -> anyhow::Result<Self> {
        Ok(Self {
            channels: setup.channels(&setup.auth_url).await?,
            setup: setup.clone(),
        })
    }
}

#[derive(Debug)]
pub struct LoginWorker {
    client: AuthServiceClient<Channel>,
    request: LoginRequest,
}

impl Worker for LoginWorker {
    async fn call(&mut self) -> Outcome {
        let result = self.client.login(self.request.clone()).await;
        Outcome::of(0, &result)
    }
}

impl Workload for Login {
    type Worker = LoginWorker;
    fn name(&self) -> &'static str {
        "login"
    }
    fn operations(&self) -> &'static [&'static str] {
        &["login"]
    }
    async fn worker(&self, index: usize) -> anyhow::Result<LoginWorker> {
        let user = index % self.setup.users.max(1) + 1;
        Ok(LoginWorker {
            client: AuthServiceClient::new(self.channels.get(index)),
            request: LoginRequest {
                username: format!("{}{user}", self.setup.prefix),
                password: self.setup.password.clone(),
            },
        })
    }
}

/// `RefreshToken`: each worker logs in once (its own session) and then
/// rotates that session's refresh token call after call, as a client that
/// refreshes would. Each call is a conditional UPDATE plus an INSERT.
#[derive(Debug)]
pub struct Refresh {
    channels: Channels,
    setup: Setup,
}

impl Refresh {
    pub async fn new(setup: &Setup) -> anyhow::Result<Self> {
        Ok(Self {
            channels: setup.channels(&setup.auth_url).await?,
            setup: setup.clone(),
        })
    }
}

/// A refresh-token chain: the current token, replaced by every success.
#[derive(Debug)]
pub struct RefreshWorker {
    client: AuthServiceClient<Channel>,
    refresh_token: String,
    /// To start a new chain when this one is revoked.
    username: String,
    password: String,
}

impl RefreshWorker {
    /// Logs in as user `index mod users` to start a chain.
    pub async fn start(
        channel: Channel,
        setup: &Setup,
        index: usize,
    ) -> anyhow::Result<(Self, Bearer)> {
        let mut client = AuthServiceClient::new(channel);
        let user = index % setup.users.max(1) + 1;
        let username = format!("{}{user}", setup.prefix);
        let tokens = fixture::login(&mut client, &username, &setup.password).await?;
        let bearer = fixture::bearer(&tokens.access_token)?;
        Ok((
            Self {
                client,
                refresh_token: tokens.refresh_token,
                username,
                password: setup.password.clone(),
            },
            bearer,
        ))
    }

    /// Rotates once; the new token replaces the old on success. A refused
    /// rotation (the chain was revoked, e.g. when a fault lost the answer
    /// to a rotation the server did make, and the retry counted as reuse)
    /// is recorded, then the worker logs in again, as a real client would.
    pub async fn rotate(&mut self, operation: usize) -> Outcome {
        let request = RefreshTokenRequest {
            refresh_token: self.refresh_token.clone(),
        };
        let result = self.client.refresh_token(request).await;
        match &result {
            Ok(response) => self
                .refresh_token
                .clone_from(&response.get_ref().refresh_token),
            Err(status) if status.code() == tonic::Code::Unauthenticated => {
                if let Ok(tokens) =
                    fixture::login(&mut self.client, &self.username, &self.password).await
                {
                    self.refresh_token = tokens.refresh_token;
                }
            }
            Err(_) => {}
        }
        Outcome::of(operation, &result)
    }
}

impl Worker for RefreshWorker {
    async fn call(&mut self) -> Outcome {
        self.rotate(0).await
    }
}

impl Workload for Refresh {
    type Worker = RefreshWorker;
    fn name(&self) -> &'static str {
        "refresh"
    }
    fn operations(&self) -> &'static [&'static str] {
        &["refresh"]
    }
    async fn worker(&self, index: usize) -> anyhow::Result<RefreshWorker> {
        let (worker, _) =
            RefreshWorker::start(self.channels.get(index), &self.setup, index).await?;
        Ok(worker)
    }
}
