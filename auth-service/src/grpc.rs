//! The `jobsearch.auth.v1.AuthService` implementation: thin handlers that
//! authenticate, convert the request, call one service function and convert
//! the answer. Failures are `Status`es via the crate's single error mapping.

use secrecy::{ExposeSecret, SecretString};
use shared::proto::jobsearch::auth::v1::{self as pb, auth_service_server::AuthService};
use tonic::{Request, Response, Status};

use crate::{
    convert,
    error::Error,
    service::{
        accounts::{NewAccount, Registration},
        profile::ProfilePatch,
        revocations::EventStream,
        sessions::IssuedTokens,
    },
    state::AppState,
};

/// The gRPC face of the auth-service.
#[derive(Debug, Clone)]
pub struct AuthApi {
    state: AppState,
}

impl AuthApi {
    /// Serves calls with `state`.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl AuthService for AuthApi {
    async fn register(&self, request: Request<pb::RegisterRequest>) -> Reply<pb::RegisterResponse> {
        let pb::RegisterRequest {
            username,
            email,
            first_name,
            last_name,
            password,
        } = request.into_inner();
        let raw = Registration {
            username: &username,
            email: &email,
            first_name: &first_name,
            last_name: &last_name,
            password: SecretString::from(password),
        };
        let account = NewAccount::parse(raw, &self.state.policy)?;
        let user = self.state.register(account, false).await?;
        Ok(Response::new(pb::RegisterResponse {
            user: Some(convert::user(user)),
        }))
    }

    async fn login(&self, request: Request<pb::LoginRequest>) -> Reply<pb::LoginResponse> {
        let req = request.into_inner();
        let (tokens, user) = self.state.login(&req.username, req.password.into()).await?;
        let t = tokens_reply(tokens);
        Ok(Response::new(pb::LoginResponse {
            access_token: t.access_token,
            access_token_expires_at: t.access_token_expires_at,
            refresh_token: t.refresh_token,
            refresh_token_expires_at: t.refresh_token_expires_at,
            user: Some(convert::user(user)),
        }))
    }

    async fn refresh_token(
        &self,
        request: Request<pb::RefreshTokenRequest>,
    ) -> Reply<pb::RefreshTokenResponse> {
        let tokens = self.state.refresh(&request.get_ref().refresh_token).await?;
        Ok(Response::new(tokens_reply(tokens)))
    }

    async fn logout(&self, request: Request<pb::LogoutRequest>) -> Reply<pb::LogoutResponse> {
        self.state.logout(&request.get_ref().refresh_token).await?;
        Ok(Response::new(pb::LogoutResponse {}))
    }

    async fn logout_all(
        &self,
        request: Request<pb::LogoutAllRequest>,
    ) -> Reply<pb::LogoutAllResponse> {
        let caller = self.state.authenticate(request.metadata()).await?;
        let ended = self.state.logout_all(&caller).await?;
        Ok(Response::new(pb::LogoutAllResponse {
            sessions_ended: saturating_u32(ended),
        }))
    }

    async fn get_me(&self, request: Request<pb::GetMeRequest>) -> Reply<pb::GetMeResponse> {
        let caller = self.state.authenticate(request.metadata()).await?;
        Ok(Response::new(pb::GetMeResponse {
            user: Some(convert::user(caller.user)),
        }))
    }

    async fn update_me(
        &self,
        request: Request<pb::UpdateMeRequest>,
    ) -> Reply<pb::UpdateMeResponse> {
        let caller = self.state.authenticate(request.metadata()).await?;
        let req = request.into_inner();
        let paths = req.update_mask.map(|m| m.paths).unwrap_or_default();
        let patch = ProfilePatch::parse(&req.user.unwrap_or_default(), &paths)?;
        let user = self.state.update_me(&caller.user.id, patch).await?;
        Ok(Response::new(pb::UpdateMeResponse {
            user: Some(convert::user(user)),
        }))
    }

    async fn change_password(
        &self,
        request: Request<pb::ChangePasswordRequest>,
    ) -> Reply<pb::ChangePasswordResponse> {
        let caller = self.state.authenticate(request.metadata()).await?;
        let req = request.into_inner();
        let ended = self
            .state
            .change_password(
                &caller,
                req.current_password.into(),
                req.new_password.into(),
            )
            .await?;
        Ok(Response::new(pb::ChangePasswordResponse {
            sessions_ended: saturating_u32(ended),
        }))
    }

    async fn list_users(
        &self,
        request: Request<pb::ListUsersRequest>,
    ) -> Reply<pb::ListUsersResponse> {
        let caller = self.state.authenticate(request.metadata()).await?;
        let req = request.get_ref();
        let (users, next_page_token) = self
            .state
            .list_users(&caller.user, req.page_size, &req.page_token)
            .await?;
        Ok(Response::new(pb::ListUsersResponse {
            users: users.into_iter().map(convert::user).collect(),
            next_page_token,
        }))
    }

    async fn verify_token(
        &self,
        request: Request<pb::VerifyTokenRequest>,
    ) -> Reply<pb::VerifyTokenResponse> {
        let active = self.state.introspect(&request.get_ref().token).await?;
        Ok(Response::new(pb::VerifyTokenResponse {
            active: active.is_some(),
            claims: active.map(|(claims, _)| convert::claims(claims)),
        }))
    }

    async fn issue_service_token(
        &self,
        request: Request<pb::IssueServiceTokenRequest>,
    ) -> Reply<pb::IssueServiceTokenResponse> {
        let pb::IssueServiceTokenRequest {
            client_id,
            client_secret,
        } = request.into_inner();
        let (service_token, expires_at) = self
            .state
            .issue_service_token(&client_id, client_secret.into())
            .await?;
        Ok(Response::new(pb::IssueServiceTokenResponse {
            service_token,
            expires_at: Some(shared::timestamp(expires_at)),
        }))
    }

    type WatchRevocationsStream = EventStream;

    async fn watch_revocations(
        &self,
        request: Request<pb::WatchRevocationsRequest>,
    ) -> Reply<EventStream> {
        let client_id = self.state.authenticate_service(request.metadata())?;
        let cursor = request.get_ref().cursor;
        if cursor < 0 {
            return Err(Error::invalid("cursor", "must not be negative").into());
        }
        tracing::info!(%client_id, cursor, "revocation watcher connected");
        Ok(Response::new(self.state.watch_revocations(cursor)))
    }

    async fn get_jwks(&self, _request: Request<pb::GetJwksRequest>) -> Reply<pb::GetJwksResponse> {
        let published = self.state.keys.published();
        let json = serde_json::json!({
            "keys": published.iter().map(|k| k.to_json()).collect::<Vec<_>>(),
        });
        Ok(Response::new(pb::GetJwksResponse {
            keys: published.iter().map(convert::jwk).collect(),
            jwks_json: json.to_string(),
        }))
    }
}

fn tokens_reply(tokens: IssuedTokens) -> pb::RefreshTokenResponse {
    pb::RefreshTokenResponse {
        access_token: tokens.access_token,
        access_token_expires_at: Some(shared::timestamp(tokens.access_expires_at)),
        refresh_token: tokens.refresh_token.expose_secret().to_owned(),
        refresh_token_expires_at: Some(shared::timestamp(tokens.refresh_expires_at)),
    }
}

fn saturating_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
