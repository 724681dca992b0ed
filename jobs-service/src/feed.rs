//! Following the auth-service's revocation feed: obtain a service token,
//! open `WatchRevocations` from the last applied cursor, apply events as they
//! arrive, and reconnect with backoff when the stream breaks. Resuming from
//! the cursor means no event is missed; events are idempotent, so one seen
//! twice does no harm.

use std::time::Duration;

use anyhow::Context as _;
use secrecy::{ExposeSecret as _, SecretString};
use shared::proto::jobsearch::auth::v1::{
    IssueServiceTokenRequest, WatchRevocationsRequest, auth_service_client::AuthServiceClient,
};
use tokio::sync::watch;
use tonic::transport::{Channel, Endpoint};
use tracing::Instrument as _;

use crate::{domain::now, revocation::RevocationSet};

/// Renew the service token when it has less than this left.
const RENEW_BEFORE_SECS: i64 = 60;
/// Longest wait between reconnection attempts.
const MAX_RETRY: Duration = Duration::from_secs(5);

/// How to reach and authenticate to the feed.
#[derive(Debug, Clone)]
pub struct FeedClient {
    /// The auth-service's URL.
    pub auth_url: String,
    /// This service's client id.
    pub client_id: String,
    /// This service's client secret.
    pub client_secret: SecretString,
}

/// Follows the feed into `set` until `stop` turns true.
pub async fn follow(set: RevocationSet, client: FeedClient, mut stop: watch::Receiver<bool>) {
    let channel = match Endpoint::from_shared(client.auth_url.clone()) {
        // No request timeout: the stream is meant to stay open.
        Ok(endpoint) => endpoint
            .connect_timeout(Duration::from_secs(5))
            .connect_lazy(),
        Err(error) => {
            tracing::error!(%error, "JOBS_AUTH_URL is not a valid endpoint; revocation feed off");
            return;
        }
    };
    let mut auth = AuthServiceClient::new(channel);
    let mut token: Option<(String, i64)> = None;
    let mut retry = Duration::from_millis(100);
    loop {
        let span = tracing::info_span!("revocation_feed", cursor = set.cursor());
        let session =
            follow_once(&set, &client, &mut auth, &mut token, &mut retry).instrument(span);
        let result = tokio::select! {
            result = session => result,
            _ = stop.wait_for(|stopped| *stopped) => return,
        };
        set.set_connected(false);
        match result {
            Ok(()) => tracing::info!("revocation feed closed by the auth-service; reconnecting"),
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), cursor = set.cursor(), "revocation feed interrupted; reconnecting")
            }
        }
        tokio::select! {
            () = tokio::time::sleep(retry) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        retry = (retry * 2).min(MAX_RETRY);
    }
}

/// One connection: (re)authenticate if needed, stream until it ends.
async fn follow_once(
    set: &RevocationSet,
    client: &FeedClient,
    auth: &mut AuthServiceClient<Channel>,
    token: &mut Option<(String, i64)>,
    retry: &mut Duration,
) -> anyhow::Result<()> {
    let needs_token = token
        .as_ref()
        .is_none_or(|(_, expires)| *expires - now() < RENEW_BEFORE_SECS);
    if needs_token {
        let issued = auth
            .issue_service_token(shared::otel::traced(IssueServiceTokenRequest {
                client_id: client.client_id.clone(),
                client_secret: client.client_secret.expose_secret().to_owned(),
            }))
            .await
            .context("IssueServiceToken")?
            .into_inner();
        let expires = issued.expires_at.map_or(0, |t| t.seconds);
        *token = Some((issued.service_token, expires));
    }
    let bearer = token.as_ref().map(|(t, _)| t.as_str()).unwrap_or_default();
    let mut request = tonic::Request::new(WatchRevocationsRequest {
        cursor: set.cursor(),
    });
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {bearer}").parse()?);
    shared::otel::inject(request.metadata_mut());
    let response = auth.watch_revocations(request).await;
    if matches!(&response, Err(status) if status.code() == tonic::Code::Unauthenticated) {
        // Expired or no longer accepted: get a new one next time.
        *token = None;
    }
    let mut stream = response.context("WatchRevocations")?.into_inner();
    *retry = Duration::from_millis(100);
    set.set_connected(true);
    tracing::info!(cursor = set.cursor(), "following the revocation feed");
    while let Some(message) = stream.message().await.context("revocation stream")? {
        set.touch(now());
        if let Some(event) = message.event {
            set.apply(&event);
        }
    }
    Ok(())
}

/// Forgets expired entries now and then.
pub async fn purge_periodically(set: RevocationSet, mut stop: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(Duration::from_secs(30));
    loop {
        tokio::select! {
            _ = interval.tick() => set.purge(now()),
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}
