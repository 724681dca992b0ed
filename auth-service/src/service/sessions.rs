//! Sessions and tokens: login, refresh with rotation and reuse detection,
//! logout, password change, and authenticating callers.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use shared::token::{AccessClaims, bearer_token};
use tonic::metadata::MetadataMap;
use unicode_normalization::UnicodeNormalization;

use super::now;
use crate::{
    config::PASSWORD_MAX_LENGTH,
    db::{
        sessions::{self, RevokeReason},
        throttle,
        users::{self, UserRow},
    },
    domain::password_policy::UserAttributes,
    error::{Error, Result},
    state::AppState,
};

/// Refresh tokens look like `rt_<43 base64url chars>` (256 random bits); the
/// prefix lets secret scanners recognise a leaked one.
const REFRESH_PREFIX: &str = "rt_";

/// Tokens issued by a login or a refresh.
#[derive(Debug)]
pub struct IssuedTokens {
    /// Signed access token.
    pub access_token: String,
    /// Access-token expiry (Unix seconds).
    pub access_expires_at: i64,
    /// Opaque refresh token, shown to the client once; only its hash is stored.
    pub refresh_token: SecretString,
    /// Refresh-token expiry (Unix seconds).
    pub refresh_expires_at: i64,
}

/// An authenticated caller: the current user row and the session of the token.
#[derive(Debug)]
pub struct Caller {
    /// The user, as stored now (not as the token remembers).
    pub user: UserRow,
    /// The token's session.
    pub session_id: String,
}

impl AppState {
    /// Checks a username (or e-mail) and password and starts a session.
    #[tracing::instrument(skip_all)]
    pub async fn login(
        &self,
        identifier: &str,
        password: SecretString,
    ) -> Result<(IssuedTokens, UserRow)> {
        let identifier = identifier.trim();
        let mut violations = Vec::new();
        if identifier.is_empty() {
            violations.push(("username".to_owned(), "must not be empty".to_owned()));
        }
        if password.expose_secret().is_empty() {
            violations.push(("password".to_owned(), "must not be empty".to_owned()));
        }
        if !violations.is_empty() {
            return Err(Error::InvalidArgument(violations));
        }
        let now = now();
        let username_key: String = identifier.nfkc().collect::<String>().to_lowercase();
        let user =
            users::find_for_login(&self.db, &username_key, &identifier.to_lowercase()).await?;
        // Throttle by account, whichever spelling was used; unknown names get
        // their own counter so that throttling reveals nothing either.
        let account_key = match &user {
            Some(user) => format!("user:{}", user.id),
            None => format!("name:{username_key}"),
        };
        self.check_throttle(&account_key, now).await?;
        let hash = user
            .as_ref()
            .filter(|u| {
                u.is_active.0 && password.expose_secret().chars().count() <= PASSWORD_MAX_LENGTH
            })
            .map(|u| u.password_hash.clone());
        let verified = self.hasher.verify(password.clone(), hash).await?;
        let Some(mut user) = user.filter(|_| verified) else {
            self.record_failure(&account_key, now).await?;
            return Err(Error::BadCredentials);
        };
        if self.hasher.needs_rehash(&user.password_hash) {
            let hash = self.hasher.hash(password).await?;
            if users::upgrade_password_hash(&self.writer, &user.id, &user.password_hash, &hash)
                .await?
            {
                user.password_hash = hash;
            }
        }
        let tokens = self.start_session(&user, &account_key, now).await?;
        tracing::info!(user_id = %user.id, "login");
        Ok((tokens, user))
    }

    async fn start_session(
        &self,
        user: &UserRow,
        account_key: &str,
        now: i64,
    ) -> Result<IssuedTokens> {
        let session_id = uuid::Uuid::now_v7().to_string();
        let session_expires = now + secs(self.config.session_max_lifetime_secs);
        let (refresh_token, refresh_hash) = new_refresh_token();
        let refresh_expires = session_expires.min(now + secs(self.config.refresh_token_ttl_secs));
        let mut tx = self.writer.begin().await?;
        // First, the write that locks the user's row (see set_last_login).
        if !users::set_last_login(&mut *tx, &user.id, &user.password_hash, now).await? {
            // The password changed (or the account was disabled) since it
            // was verified: the old password opens nothing.
            return Err(Error::BadCredentials);
        }
        sessions::create(&mut *tx, &session_id, &user.id, now, session_expires).await?;
        sessions::insert_refresh_token(&mut *tx, &refresh_hash, &session_id, now, refresh_expires)
            .await?;
        throttle::clear(&mut *tx, account_key).await?;
        tx.commit().await?;
        let (access_token, access_expires_at) =
            self.access_token(user, &session_id, session_expires, now)?;
        Ok(IssuedTokens {
            access_token,
            access_expires_at,
            refresh_token,
            refresh_expires_at: refresh_expires,
        })
    }

    /// Rotates a refresh token. A token that was already rotated ends its
    /// whole session: either it was stolen or the thief already used it.
    #[tracing::instrument(skip_all)]
    pub async fn refresh(&self, refresh_token: &str) -> Result<IssuedTokens> {
        let hash = hash_refresh_token(refresh_token)?;
        let now = now();
        let mut tx = self.writer.begin().await?;
        let Some(session_id) = sessions::claim_refresh_token(&mut *tx, &hash, now).await? else {
            if let Some(owner) = sessions::refresh_token_owner(&mut *tx, &hash).await?
                && owner.used
            {
                let reason = RevokeReason::RefreshTokenReuse;
                self.end_session(&mut tx, &owner, reason, now).await?;
                tx.commit().await?;
                self.feed.notify();
                tracing::warn!(session_id = %owner.session_id, "rotated refresh token presented again; session revoked");
            }
            return Err(Error::BadToken);
        };
        let Some((user, session_expires)) =
            sessions::active_session(&mut *tx, &session_id, now).await?
        else {
            return Err(Error::BadToken);
        };
        let (new_token, new_hash) = new_refresh_token();
        let refresh_expires = session_expires.min(now + secs(self.config.refresh_token_ttl_secs));
        sessions::insert_refresh_token(&mut *tx, &new_hash, &session_id, now, refresh_expires)
            .await?;
        tx.commit().await?;
        let (access_token, access_expires_at) =
            self.access_token(&user, &session_id, session_expires, now)?;
        Ok(IssuedTokens {
            access_token,
            access_expires_at,
            refresh_token: new_token,
            refresh_expires_at: refresh_expires,
        })
    }

    /// Ends the session of a refresh token (idempotent for an ended session).
    #[tracing::instrument(skip_all)]
    pub async fn logout(&self, refresh_token: &str) -> Result<()> {
        let hash = hash_refresh_token(refresh_token)?;
        let Some(owner) = sessions::refresh_token_owner(&self.db, &hash).await? else {
            return Err(Error::BadToken);
        };
        let mut tx = self.writer.begin().await?;
        self.end_session(&mut tx, &owner, RevokeReason::Logout, now())
            .await?;
        tx.commit().await?;
        self.feed.notify();
        Ok(())
    }

    /// Ends every session of the caller.
    pub async fn logout_all(&self, caller: &Caller) -> Result<u64> {
        let user_id = &caller.user.id;
        let mut tx = self.writer.begin().await?;
        let ended = self
            .end_sessions_of_user(&mut tx, user_id, None, RevokeReason::LogoutAll, now())
            .await?;
        tx.commit().await?;
        self.feed.notify();
        tracing::info!(%user_id, ended, "logout everywhere");
        Ok(ended)
    }

    /// Changes the caller's password and ends their other sessions.
    #[tracing::instrument(skip_all, fields(user_id = %caller.user.id))]
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: SecretString,
        new: SecretString,
    ) -> Result<u64> {
        let user = &caller.user;
        let now = now();
        let account_key = format!("user:{}", user.id);
        self.check_throttle(&account_key, now).await?;
        let attributes = UserAttributes {
            username: &user.username,
            email: &user.email,
            first_name: &user.first_name,
            last_name: &user.last_name,
        };
        let mut violations: Vec<(String, String)> = self
            .policy
            .check(new.expose_secret(), &attributes)
            .into_iter()
            .map(|reason| ("new_password".to_owned(), reason))
            .collect();
        if new.expose_secret() == current.expose_secret() {
            violations.push((
                "new_password".to_owned(),
                "must differ from the current password".to_owned(),
            ));
        }
        if !self
            .hasher
            .verify(current, Some(user.password_hash.clone()))
            .await?
        {
            self.record_failure(&account_key, now).await?;
            return Err(Error::invalid("current_password", "is incorrect"));
        }
        if !violations.is_empty() {
            return Err(Error::InvalidArgument(violations));
        }
        let hash = self.hasher.hash(new).await?;
        let mut tx = self.writer.begin().await?;
        users::set_password_hash(&mut *tx, &user.id, &hash).await?;
        let keep = Some(caller.session_id.as_str());
        let reason = RevokeReason::PasswordChange;
        let ended = self
            .end_sessions_of_user(&mut tx, &user.id, keep, reason, now)
            .await?;
        throttle::clear(&mut *tx, &account_key).await?;
        tx.commit().await?;
        self.feed.notify();
        tracing::info!(ended, "password changed");
        Ok(ended)
    }

    /// Authenticates a call from its bearer access token: signature, type,
    /// lifetime, and a live session of an active user.
    pub async fn authenticate(&self, metadata: &MetadataMap) -> Result<Caller> {
        let Some(token) = bearer_token(metadata) else {
            self.metrics.token_verifications.record("missing");
            return Err(Error::BadToken);
        };
        let (claims, user) = self.introspect(token).await?.ok_or(Error::BadToken)?;
        Ok(Caller {
            user,
            session_id: claims.sid,
        })
    }

    /// The claims and user of an active access token, or `None`.
    pub async fn introspect(&self, token: &str) -> Result<Option<(AccessClaims, UserRow)>> {
        let now = now();
        let claims = match self.verifier.verify(token, now) {
            Ok(claims) => claims,
            Err(error) => {
                tracing::debug!(%error, "token refused");
                self.metrics.token_verifications.record(error.reason());
                return Ok(None);
            }
        };
        let session = sessions::active_session(&self.db, &claims.sid, now).await?;
        let active = session
            .filter(|(user, _)| user.id == claims.sub)
            .map(|(user, _)| (claims, user));
        // A valid signature without a live session: logged out, revoked, or
        // the user disabled.
        let outcome = if active.is_some() { "ok" } else { "revoked" };
        self.metrics.token_verifications.record(outcome);
        Ok(active)
    }

    fn access_token(
        &self,
        user: &UserRow,
        session_id: &str,
        session_expires: i64,
        now: i64,
    ) -> Result<(String, i64)> {
        let exp = session_expires.min(now + secs(self.config.access_token_ttl_secs));
        let claims = AccessClaims {
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            sub: user.id.clone(),
            sid: session_id.to_owned(),
            jti: uuid::Uuid::now_v7().to_string(),
            iat: now,
            nbf: now,
            exp,
            username: user.username.clone(),
            staff: user.is_staff.0,
        };
        Ok((self.keys.sign(&claims)?, exp))
    }
}

/// A fresh refresh token and the hash that is stored instead of it.
fn new_refresh_token() -> (SecretString, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("{REFRESH_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hex_sha256(&token);
    (token.into(), hash)
}

/// The stored form of a presented refresh token. SHA-256 suffices (no slow
/// hash): the token has 256 bits of entropy, so it cannot be guessed offline.
/// Public for the fuzz targets, which feed it arbitrary tokens.
pub fn hash_refresh_token(token: &str) -> Result<String> {
    let well_formed = token.len() == REFRESH_PREFIX.len() + 43
        && token.starts_with(REFRESH_PREFIX)
        && URL_SAFE_NO_PAD
            .decode(&token[REFRESH_PREFIX.len()..])
            .is_ok();
    if !well_formed {
        return Err(Error::BadToken);
    }
    Ok(hex_sha256(token))
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Configuration seconds as a timestamp offset; configuration validation
/// keeps them far below `i64::MAX`.
fn secs(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX / 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_carry_256_random_bits_and_are_stored_hashed() {
        let (token, hash) = new_refresh_token();
        let token = token.expose_secret();
        assert!(token.starts_with("rt_"));
        assert_eq!(URL_SAFE_NO_PAD.decode(&token[3..]).unwrap().len(), 32);
        assert_eq!(hash_refresh_token(token).unwrap(), hash);
        assert!(!hash.contains(&token[3..]));
        assert_ne!(new_refresh_token().1, hash);
    }

    #[test]
    fn malformed_refresh_tokens_are_refused_without_a_lookup() {
        for bad in [
            "",
            "rt_",
            "rt_short",
            &"x".repeat(46),
            &format!("rt_{}", "!".repeat(43)),
        ] {
            assert!(
                matches!(hash_refresh_token(bad), Err(Error::BadToken)),
                "{bad:?}"
            );
        }
    }
}
