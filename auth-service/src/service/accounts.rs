//! Registration and the staff-only user list.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use secrecy::{ExposeSecret, SecretString};

use super::now;
use crate::{
    db::users::{self, NewUser, UserRow},
    domain::{
        password_policy::{PasswordPolicy, UserAttributes},
        user::{self, Email, Username},
    },
    error::{Error, Result},
    state::AppState,
};

/// Default and largest page of `ListUsers`.
const DEFAULT_PAGE_SIZE: i64 = 50;
const MAX_PAGE_SIZE: i64 = 200;

/// A registration that passed every check.
#[derive(Debug)]
pub struct NewAccount {
    username: Username,
    email: Email,
    first_name: String,
    last_name: String,
    password: SecretString,
}

/// Raw registration fields, as received.
#[derive(Debug)]
pub struct Registration<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password: SecretString,
}

impl NewAccount {
    /// Checks every field, reporting every problem at once.
    pub fn parse(raw: Registration<'_>, policy: &PasswordPolicy) -> Result<Self> {
        let mut violations = Vec::new();
        let username = noted(&mut violations, "username", Username::parse(raw.username));
        let email = noted(&mut violations, "email", Email::parse(raw.email));
        let first_name = noted(&mut violations, "first_name", user::name(raw.first_name));
        let last_name = noted(&mut violations, "last_name", user::name(raw.last_name));
        let attributes = UserAttributes {
            username: raw.username,
            email: raw.email,
            first_name: raw.first_name,
            last_name: raw.last_name,
        };
        for reason in policy.check(raw.password.expose_secret(), &attributes) {
            violations.push(("password".to_owned(), reason));
        }
        match (username, email, first_name, last_name) {
            (Some(username), Some(email), Some(first_name), Some(last_name))
                if violations.is_empty() =>
            {
                Ok(Self {
                    username,
                    email,
                    first_name,
                    last_name,
                    password: raw.password,
                })
            }
            _ => Err(Error::InvalidArgument(violations)),
        }
    }
}

/// The value, or `None` with the reason noted as a violation of `field`.
fn noted<T>(
    violations: &mut Vec<(String, String)>,
    field: &str,
    result: Result<T, String>,
) -> Option<T> {
    result
        .map_err(|reason| violations.push((field.to_owned(), reason)))
        .ok()
}

impl AppState {
    /// Creates an account (a staff account when `is_staff`, for the admin command).
    #[tracing::instrument(skip_all, fields(username = %account.username.display))]
    pub async fn register(&self, account: NewAccount, is_staff: bool) -> Result<UserRow> {
        let hash = self.hasher.hash(account.password).await?;
        let id = uuid::Uuid::now_v7().to_string();
        let new = NewUser {
            id: &id,
            username: &account.username.display,
            username_key: &account.username.key,
            email: &account.email.display,
            email_key: &account.email.key,
            first_name: &account.first_name,
            last_name: &account.last_name,
            password_hash: &hash,
            is_staff,
            date_joined: now(),
        };
        users::insert(&self.writer, &new)
            .await
            .map_err(Error::from_user_write)?;
        tracing::info!(user_id = %id, "user registered");
        users::find(&self.db, &id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("registered user vanished").into())
    }

    /// One page of users for a staff caller; returns the users and the next
    /// page token (empty on the last page).
    pub async fn list_users(
        &self,
        caller: &UserRow,
        page_size: i32,
        page_token: &str,
    ) -> Result<(Vec<UserRow>, String)> {
        if !caller.is_staff.0 {
            return Err(Error::NotStaff);
        }
        let limit = match i64::from(page_size) {
            0 => DEFAULT_PAGE_SIZE,
            n if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => return Err(Error::invalid("page_size", "must be between 0 and 200")),
        };
        let after = decode_page_token(page_token)?;
        // One extra row tells whether another page exists.
        let mut rows = users::list(&self.db, after.as_deref(), limit + 1).await?;
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit.unsigned_abs() as usize);
            rows.last()
                .map(|u| URL_SAFE_NO_PAD.encode(&u.id))
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok((rows, next))
    }
}

/// A page token is the base64url of the last id seen; anything else is refused.
/// Public for the fuzz targets, which feed it arbitrary tokens.
pub fn decode_page_token(token: &str) -> Result<Option<String>> {
    if token.is_empty() {
        return Ok(None);
    }
    let invalid = || Error::invalid("page_token", "is not a token from a previous page");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let id = String::from_utf8(bytes).map_err(|_| invalid())?;
    if !shared::ids::is_canonical_uuid(&id) {
        return Err(invalid());
    }
    Ok(Some(id))
}
