//! Use cases for tags and search: listing and deleting the caller's tags,
//! attaching tag names to the postings and opportunities read, and
//! full-text search over the caller's postings.

use sqlx::{Any, Executor};

use crate::{
    db::{
        job_postings::JobPostingRow,
        opportunities::OpportunityRow,
        tags::{self, TagRow},
    },
    domain::{search::Search, stage::ParentKind, tag::TagName},
    error::{Error, Result},
    paging::Page,
    state::AppState,
};

/// What `NotFound` names.
const NOT_FOUND: Error = Error::NotFound("tag");

impl AppState {
    /// One page of `user_id`'s tags with their counts, and the next page's
    /// token.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn list_tags(&self, user_id: &str, page: &Page) -> Result<(Vec<TagRow>, String)> {
        let rows = tags::list(&self.db, user_id, &page.after, page.fetch_limit()).await?;
        Ok(page.finish(rows, |row| &row.id))
    }

    /// Renames one of `user_id`'s tags and returns it with its counts.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn rename_tag(&self, user_id: &str, id: &str, name: &TagName) -> Result<TagRow> {
        let mut tx = self.writer.begin().await?;
        match tags::rename(&mut *tx, user_id, id, name).await {
            Ok(0) => return Err(NOT_FOUND),
            Ok(_) => {}
            Err(error) if tags::is_name_taken(&error) => {
                return Err(Error::AlreadyExists("a tag of that name"));
            }
            Err(error) => return Err(error.into()),
        }
        let row = tags::find(&mut *tx, user_id, id).await?.ok_or(NOT_FOUND)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Deletes one of `user_id`'s tags, and with it every link to it.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn delete_tag(&self, user_id: &str, id: &str) -> Result<()> {
        match tags::delete(&self.writer, user_id, id).await? {
            0 => Err(NOT_FOUND),
            _ => Ok(()),
        }
    }

    /// One page of `user_id`'s postings matching `search`, best first, with
    /// their tags (passwords never read), and the next page's token.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn search_job_postings(
        &self,
        user_id: &str,
        search: &Search,
    ) -> Result<(Vec<JobPostingRow>, String)> {
        let limit = search.size + 1;
        let rows = self.search.search(&self.db, user_id, search, limit).await?;
        let (mut rows, token) = search.finish(rows);
        posting_tags(&self.db, user_id, &mut rows).await?;
        Ok((rows, token))
    }
}

/// Fills the `tags` of `user_id`'s postings `rows`.
pub async fn posting_tags(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    rows: &mut [JobPostingRow],
) -> Result<()> {
    let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    let mut names = tags::of(db, user_id, ParentKind::Posting, &ids).await?;
    for row in rows {
        row.tags = names.remove(&row.id).unwrap_or_default();
    }
    Ok(())
}

/// Fills the `tags` of `user_id`'s opportunities `rows`.
pub async fn opportunity_tags(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    rows: &mut [OpportunityRow],
) -> Result<()> {
    let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    let mut names = tags::of(db, user_id, ParentKind::Opportunity, &ids).await?;
    for row in rows {
        row.tags = names.remove(&row.id).unwrap_or_default();
    }
    Ok(())
}
