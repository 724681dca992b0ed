//! SQL for the `job_sites` table. Every statement is scoped by the owning
//! user's id, so another user's row behaves exactly like a missing one.

use sqlx::{Any, Executor, FromRow};

use super::{Flag, Statement};
use crate::domain::Value;

/// The columns of [`JobSiteRow`], with `$password` standing for the
/// password column: the real one, or an empty string for lists.
macro_rules! columns {
    ($password:literal) => {
        concat!(
            "id, site_name, site_url, ",
            $password,
            ", rating, resume_format, github_field, project_site_field, last_visited_at, \
             resume_updated_at, headline, description, create_time, update_time"
        )
    };
}

/// Every column, for single-site reads.
const COLUMNS: &str = columns!("site_password_ciphertext");
/// Lists never return passwords, so they never even read the ciphertext.
const LIST_COLUMNS: &str = columns!("'' AS site_password_ciphertext");

/// A stored job site. The password is ciphertext (see `crate::crypto`).
#[derive(Clone, FromRow)]
pub struct JobSiteRow {
    pub id: String,
    pub site_name: String,
    pub site_url: String,
    pub site_password_ciphertext: String,
    pub rating: i64,
    pub resume_format: String,
    #[sqlx(try_from = "i64")]
    pub github_field: Flag,
    #[sqlx(try_from = "i64")]
    pub project_site_field: Flag,
    pub last_visited_at: Option<i64>,
    pub resume_updated_at: Option<i64>,
    pub headline: String,
    pub description: String,
    pub create_time: i64,
    pub update_time: i64,
}

impl std::fmt::Debug for JobSiteRow {
    // Not even the ciphertext goes to logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobSiteRow")
            .field("id", &self.id)
            .field("site_name", &self.site_name)
            .finish_non_exhaustive()
    }
}

/// Inserts a site with `columns` (validated values, the sealed password
/// included) for `user_id`, created and updated at `now`.
pub async fn insert(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    now: i64,
    columns: Vec<(&'static str, Value)>,
) -> sqlx::Result<()> {
    let mut all = vec![
        ("user_id", user_id.into()),
        ("id", id.into()),
        ("create_time", now.into()),
        ("update_time", now.into()),
    ];
    all.extend(columns);
    Statement::insert("job_sites", &all).execute(db).await?;
    Ok(())
}

/// One of `user_id`'s sites.
pub async fn find(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<Option<JobSiteRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM job_sites WHERE user_id = $1 AND id = $2"
    ))
    .bind(user_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Whether `user_id` has a site `id`.
pub async fn exists(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<bool> {
    super::exists(db, "job_sites", user_id, id).await
}

/// Up to `limit` of `user_id`'s sites after id `after` (empty: from the
/// start), in id (= creation) order, with empty passwords.
pub async fn list(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    after: &str,
    limit: i64,
) -> sqlx::Result<Vec<JobSiteRow>> {
    sqlx::query_as(&format!(
        "SELECT {LIST_COLUMNS} FROM job_sites WHERE user_id = $1 AND id > $2 \
         ORDER BY id LIMIT $3"
    ))
    .bind(user_id)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Sets `columns` (from the domain's allowlist; `update_time` included by
/// the caller) on one of `user_id`'s sites; returns rows changed (0: none).
pub async fn update(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    columns: &[(&'static str, Value)],
) -> sqlx::Result<u64> {
    Statement::update("job_sites", user_id, id, columns)
        .execute(db)
        .await
}

/// Deletes one of `user_id`'s sites; returns rows deleted. The caller
/// deletes its postings first, in the same transaction.
pub async fn delete(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<u64> {
    Statement::delete("job_sites", user_id, id)
        .execute(db)
        .await
}
