//! Use cases for job postings: create, get, list, update and delete, each
//! scoped to the calling user. A posting's site must be one of the caller's,
//! checked in the statement or transaction that writes it. Passwords are
//! sealed here before they are stored and opened only for single-posting
//! answers.

use secrecy::{ExposeSecret as _, SecretString};

use crate::{
    crypto::Owner,
    db::{
        Tx,
        job_postings::{self, JobPostingRow},
        job_sites, tags as tag_links,
    },
    domain::{
        Value, follow_up,
        job_posting::{NewPosting, PostingChanges, PostingFilter, PostingUpdate},
        now,
        stage::{LegacyChanges, Parent, ParentKind},
    },
    error::{Error, Result},
    paging::Page,
    service::{stage_events::apply_legacy, tags::posting_tags},
    state::AppState,
};

/// What `NotFound` names for a posting.
const NOT_FOUND: Error = Error::NotFound("job posting");
/// What `NotFound` names for a site that is not the caller's.
const SITE_NOT_FOUND: Error = Error::NotFound("job site");

/// A stored posting with its password opened, for its owner.
#[derive(Debug)]
pub struct OpenJobPosting {
    /// The stored row.
    pub row: JobPostingRow,
    /// The opened password; `SecretString` keeps it out of logs.
    pub password: SecretString,
}

/// The identity a posting's password is sealed to.
fn owner<'a>(user_id: &'a str, id: &'a str) -> Owner<'a> {
    Owner {
        kind: "job_posting",
        user_id,
        id,
    }
}

impl AppState {
    /// Stores a new posting on one of `user_id`'s sites and returns it,
    /// with the id of an older posting of the same company and title
    /// (ignoring case) if there is one: a likely duplicate, still stored.
    /// Its status and dates become its first stage events.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn create_job_posting(
        &self,
        user_id: &str,
        new: NewPosting,
    ) -> Result<(OpenJobPosting, Option<String>)> {
        let id = uuid::Uuid::now_v7().to_string();
        let NewPosting {
            job_site_id,
            mut changes,
        } = new;
        let tags = changes.tags.take().unwrap_or_default();
        let mut columns = self.seal_posting_password(user_id, &id, changes)?;
        let legacy = LegacyChanges::take(ParentKind::Posting, &mut columns);
        // A placeholder until the history decides it, below.
        columns.push(("posting_status", legacy.status.unwrap_or(1).into()));
        // One transaction, so the answer is exactly what was written. The
        // insert itself checks the site (and writes first, which SQLite
        // needs to avoid a read-then-write upgrade failure; the search
        // index's triggers need more, see `Index::begin_write`).
        let now = now();
        let mut tx = self.search.begin_write(&self.writer).await?;
        let site = &job_site_id;
        if !job_postings::insert(&mut *tx, user_id, &id, site, now, columns).await? {
            return Err(SITE_NOT_FOUND);
        }
        let parent = Parent {
            kind: ParentKind::Posting,
            id: id.clone(),
        };
        let field = "job_posting.posting_status";
        let rules = self.rules();
        apply_legacy(&mut tx, user_id, &parent, &legacy, now, &rules, field).await?;
        tag_links::set(&mut tx, user_id, ParentKind::Posting, &id, &tags, now).await?;
        let row = find_with_tags(&mut tx, user_id, &id).await?;
        let (company, title) = (&row.company_name, &row.posting_title);
        let duplicate = job_postings::duplicate_of(&mut *tx, user_id, &id, company, title).await?;
        tx.commit().await?;
        Ok((self.open_job_posting(user_id, row)?, duplicate))
    }

    /// One of `user_id`'s postings, with its password.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn get_job_posting(&self, user_id: &str, id: &str) -> Result<OpenJobPosting> {
        let mut row = job_postings::find(&self.db, user_id, id)
            .await?
            .ok_or(NOT_FOUND)?;
        posting_tags(&self.db, user_id, std::slice::from_mut(&mut row)).await?;
        self.open_job_posting(user_id, row)
    }

    /// One page of `user_id`'s postings passing `filter` (passwords never
    /// read) and the next page's token. A site filter naming no site of the
    /// caller's simply matches nothing.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn list_job_postings(
        &self,
        user_id: &str,
        page: &Page,
        filter: &PostingFilter,
    ) -> Result<(Vec<JobPostingRow>, String)> {
        let limit = page.fetch_limit();
        let rows = job_postings::list(&self.db, user_id, filter, &page.after, limit).await?;
        let (mut rows, token) = page.finish(rows, |row| &row.id);
        posting_tags(&self.db, user_id, &mut rows).await?;
        Ok((rows, token))
    }

    /// Applies a masked update and returns the posting as now stored. A new
    /// status or date becomes stage history, from which they are derived; a
    /// cleared follow-up date is derived again by the rules.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn update_job_posting(
        &self,
        user_id: &str,
        update: PostingUpdate,
    ) -> Result<OpenJobPosting> {
        let PostingUpdate { id, mut changes } = update;
        let id = id.as_str();
        let new_site = changes.job_site_id.take();
        let tags = changes.tags.take();
        let mut columns = self.seal_posting_password(user_id, id, changes)?;
        let legacy = LegacyChanges::take(ParentKind::Posting, &mut columns);
        let rederive = !legacy.is_empty() || follow_up::hands_back_to_rules(&columns);
        let now = now();
        columns.push(("update_time", now.into()));
        let mut tx = self.search.begin_write(&self.writer).await?;
        // The first statement writes: it takes SQLite's write lock before
        // any read, and tells whether the posting exists.
        if job_postings::update(&mut *tx, user_id, id, &columns).await? == 0 {
            return Err(NOT_FOUND);
        }
        if let Some(site) = new_site {
            if !job_sites::exists(&mut *tx, user_id, &site).await? {
                // Dropping the transaction undoes the first update.
                return Err(SITE_NOT_FOUND);
            }
            let moved = [("job_site_id", Value::from(site))];
            job_postings::update(&mut *tx, user_id, id, &moved).await?;
        }
        if rederive {
            let parent = Parent {
                kind: ParentKind::Posting,
                id: id.to_owned(),
            };
            let field = "job_posting.posting_status";
            let rules = self.rules();
            apply_legacy(&mut tx, user_id, &parent, &legacy, now, &rules, field).await?;
        }
        if let Some(tags) = tags {
            tag_links::set(&mut tx, user_id, ParentKind::Posting, id, &tags, now).await?;
        }
        let row = find_with_tags(&mut tx, user_id, id).await?;
        tx.commit().await?;
        self.open_job_posting(user_id, row)
    }

    /// Deletes one of `user_id`'s postings.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn delete_job_posting(&self, user_id: &str, id: &str) -> Result<()> {
        match job_postings::delete(&self.writer, user_id, id).await? {
            0 => Err(NOT_FOUND),
            _ => Ok(()),
        }
    }

    /// The columns to write, the new password (if any) sealed to this
    /// posting. The site is left to the caller, which must check it.
    fn seal_posting_password(
        &self,
        user_id: &str,
        id: &str,
        changes: PostingChanges,
    ) -> Result<Vec<(&'static str, Value)>> {
        let mut columns = changes.columns;
        if let Some(password) = changes.password {
            let sealed = self
                .secrets
                .seal(password.expose_secret(), owner(user_id, id))?;
            columns.push(("posting_password_ciphertext", sealed.into()));
        }
        Ok(columns)
    }

    /// Opens the row's password for its owner.
    fn open_job_posting(&self, user_id: &str, row: JobPostingRow) -> Result<OpenJobPosting> {
        let password = self
            .secrets
            .open(&row.posting_password_ciphertext, owner(user_id, &row.id))?;
        Ok(OpenJobPosting {
            row,
            password: password.into(),
        })
    }
}

/// One of `user_id`'s postings with its tags, read in `tx`.
async fn find_with_tags(tx: &mut Tx, user_id: &str, id: &str) -> Result<JobPostingRow> {
    let mut row = job_postings::find(&mut **tx, user_id, id)
        .await?
        .ok_or(NOT_FOUND)?;
    posting_tags(&mut **tx, user_id, std::slice::from_mut(&mut row)).await?;
    Ok(row)
}
