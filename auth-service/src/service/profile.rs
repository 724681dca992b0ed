//! `UpdateMe`: applying a field-masked profile change.

use shared::proto::jobsearch::auth::v1::User;

use crate::{
    db::users::{self, FieldValue, UserRow},
    domain::user::{self, Email, Username},
    error::{Error, Result},
    state::AppState,
};

/// The validated columns to change, from an allowlist of mask paths.
#[derive(Debug)]
pub struct ProfilePatch {
    fields: Vec<(&'static str, FieldValue)>,
}

impl ProfilePatch {
    /// Reads the fields named in `paths` from `user`, checking each one.
    /// Every unknown, read-only or invalid path is reported.
    pub fn parse(user: &User, paths: &[String]) -> Result<Self> {
        if paths.is_empty() {
            return Err(Error::invalid(
                "update_mask",
                "must name at least one field to update",
            ));
        }
        let mut fields = Vec::new();
        let mut violations = Vec::new();
        for path in paths {
            if fields.iter().any(|(column, _)| *column == path.as_str()) {
                continue;
            }
            match Self::field(user, path) {
                Ok(columns) => fields.extend(columns),
                Err(reason) => violations.push((field_name(path), reason)),
            }
        }
        if violations.is_empty() {
            Ok(Self { fields })
        } else {
            Err(Error::InvalidArgument(violations))
        }
    }

    /// The columns one mask path sets.
    fn field(user: &User, path: &str) -> Result<Vec<(&'static str, FieldValue)>, String> {
        use FieldValue::{Text, Time};
        let text = |column, value: Result<String, String>| Ok(vec![(column, Text(value?))]);
        match path {
            "username" => {
                let name = Username::parse(&user.username)?;
                Ok(vec![
                    ("username", Text(name.display)),
                    ("username_key", Text(name.key)),
                ])
            }
            "email" => {
                let email = Email::parse(&user.email)?;
                Ok(vec![
                    ("email", Text(email.display)),
                    ("email_key", Text(email.key)),
                ])
            }
            "first_name" => text("first_name", user::name(&user.first_name)),
            "last_name" => text("last_name", user::name(&user.last_name)),
            "bio" => text("bio", user::bio(&user.bio)),
            "user_greeting" => text("user_greeting", user::short_text(&user.user_greeting)),
            "color_mode" => text("color_mode", user::short_text(&user.color_mode)),
            "dashboard_first_date" => Ok(vec![(
                "dashboard_first_date",
                Time(user::timestamp(user.dashboard_first_date.as_ref())?),
            )]),
            "dashboard_second_date" => Ok(vec![(
                "dashboard_second_date",
                Time(user::timestamp(user.dashboard_second_date.as_ref())?),
            )]),
            "id" | "is_staff" | "date_joined" | "last_login" => Err("is read-only".to_owned()),
            _ => Err("is not a field of User".to_owned()),
        }
    }
}

/// Violations on a masked field are reported as `user.<path>`.
fn field_name(path: &str) -> String {
    format!("user.{path}")
}

impl AppState {
    /// Applies `patch` to the caller's profile and returns the result.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn update_me(&self, user_id: &str, patch: ProfilePatch) -> Result<UserRow> {
        users::update_fields(&self.writer, user_id, &patch.fields)
            .await
            .map_err(Error::from_user_write)?;
        users::find(&self.db, user_id).await?.ok_or(Error::BadToken)
    }
}
