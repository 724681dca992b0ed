//! Use cases for job sites: create, get, list, update and delete (with the
//! site's postings), each scoped to the calling user. Passwords are sealed
//! here before they are stored and opened only for single-site answers.

use secrecy::{ExposeSecret as _, SecretString};

use crate::{
    crypto::Owner,
    db::{
        job_postings,
        job_sites::{self, JobSiteRow},
    },
    domain::{
        Value,
        job_site::{SiteChanges, SiteUpdate},
        now,
    },
    error::{Error, Result},
    paging::Page,
    state::AppState,
};

/// What `NotFound` names.
const NOT_FOUND: Error = Error::NotFound("job site");

/// A stored site with its password opened, for its owner.
#[derive(Debug)]
pub struct OpenJobSite {
    /// The stored row.
    pub row: JobSiteRow,
    /// The opened password; `SecretString` keeps it out of logs.
    pub password: SecretString,
}

/// The identity a site's password is sealed to.
fn owner<'a>(user_id: &'a str, id: &'a str) -> Owner<'a> {
    Owner {
        kind: "job_site",
        user_id,
        id,
    }
}

impl AppState {
    /// Stores a new site for `user_id` and returns it.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn create_job_site(&self, user_id: &str, site: SiteChanges) -> Result<OpenJobSite> {
        let id = uuid::Uuid::now_v7().to_string();
        let columns = self.seal_site_password(user_id, &id, site)?;
        // One transaction, so the answer is exactly what was written.
        let mut tx = self.writer.begin().await?;
        job_sites::insert(&mut *tx, user_id, &id, now(), columns).await?;
        let row = job_sites::find(&mut *tx, user_id, &id)
            .await?
            .ok_or(NOT_FOUND)?;
        tx.commit().await?;
        self.open_job_site(user_id, row)
    }

    /// One of `user_id`'s sites, with its password.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn get_job_site(&self, user_id: &str, id: &str) -> Result<OpenJobSite> {
        let row = job_sites::find(&self.db, user_id, id)
            .await?
            .ok_or(NOT_FOUND)?;
        self.open_job_site(user_id, row)
    }

    /// One page of `user_id`'s sites (passwords never read) and the next
    /// page's token.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn list_job_sites(
        &self,
        user_id: &str,
        page: &Page,
    ) -> Result<(Vec<JobSiteRow>, String)> {
        let rows = job_sites::list(&self.db, user_id, &page.after, page.fetch_limit()).await?;
        Ok(page.finish(rows, |row| &row.id))
    }

    /// Applies a masked update and returns the site as now stored.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn update_job_site(&self, user_id: &str, update: SiteUpdate) -> Result<OpenJobSite> {
        let mut columns = self.seal_site_password(user_id, &update.id, update.changes)?;
        columns.push(("update_time", now().into()));
        let mut tx = self.writer.begin().await?;
        if job_sites::update(&mut *tx, user_id, &update.id, &columns).await? == 0 {
            return Err(NOT_FOUND);
        }
        let row = job_sites::find(&mut *tx, user_id, &update.id)
            .await?
            .ok_or(NOT_FOUND)?;
        tx.commit().await?;
        self.open_job_site(user_id, row)
    }

    /// Deletes one of `user_id`'s sites and its postings, atomically;
    /// returns how many postings went with it.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn delete_job_site(&self, user_id: &str, id: &str) -> Result<u64> {
        // Deleting postings updates the search index (see `begin_write`).
        let mut tx = self.search.begin_write(&self.writer).await?;
        // Explicitly, not only by the foreign key's cascade: the count is
        // the answer, and correctness must not hinge on SQLite's
        // `foreign_keys` connection pragma.
        let postings = job_postings::delete_on_site(&mut *tx, user_id, id).await?;
        if job_sites::delete(&mut *tx, user_id, id).await? == 0 {
            // Dropping the transaction rolls back (nothing was deleted anyway).
            return Err(NOT_FOUND);
        }
        tx.commit().await?;
        Ok(postings)
    }

    /// The columns to write, the new password (if any) sealed to this site.
    fn seal_site_password(
        &self,
        user_id: &str,
        id: &str,
        changes: SiteChanges,
    ) -> Result<Vec<(&'static str, Value)>> {
        let mut columns = changes.columns;
        if let Some(password) = changes.password {
            let sealed = self
                .secrets
                .seal(password.expose_secret(), owner(user_id, id))?;
            columns.push(("site_password_ciphertext", sealed.into()));
        }
        Ok(columns)
    }

    /// Opens the row's password for its owner.
    fn open_job_site(&self, user_id: &str, row: JobSiteRow) -> Result<OpenJobSite> {
        let password = self
            .secrets
            .open(&row.site_password_ciphertext, owner(user_id, &row.id))?;
        Ok(OpenJobSite {
            row,
            password: password.into(),
        })
    }
}
