//! Use cases for recruiter opportunities: create, get, list, update and
//! delete, each scoped to the calling user.

use crate::{
    db::opportunities::{self, OpportunityRow},
    domain::{
        now,
        opportunity::{Columns, OpportunityUpdate},
    },
    error::{Error, Result},
    paging::Page,
    state::AppState,
};

/// What `NotFound` names.
const NOT_FOUND: Error = Error::NotFound("opportunity");

impl AppState {
    /// Stores a new opportunity for `user_id` and returns it.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn create_opportunity(
        &self,
        user_id: &str,
        columns: Columns,
    ) -> Result<OpportunityRow> {
        let id = uuid::Uuid::now_v7().to_string();
        // Read back in the same transaction: the answer is exactly what was
        // stored, defaults included.
        let mut tx = self.db.begin().await?;
        opportunities::insert(&mut *tx, user_id, &id, now(), columns).await?;
        let row = opportunities::find(&mut *tx, user_id, &id)
            .await?
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("inserted opportunity not found")))?;
        tx.commit().await?;
        Ok(row)
    }

    /// One of `user_id`'s opportunities.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn get_opportunity(&self, user_id: &str, id: &str) -> Result<OpportunityRow> {
        opportunities::find(&self.db, user_id, id)
            .await?
            .ok_or(NOT_FOUND)
    }

    /// One page of `user_id`'s opportunities and the next page's token.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn list_opportunities(
        &self,
        user_id: &str,
        page: &Page,
        active_only: bool,
    ) -> Result<(Vec<OpportunityRow>, String)> {
        let rows = opportunities::list(
            &self.db,
            user_id,
            &page.after,
            page.fetch_limit(),
            active_only,
        )
        .await?;
        Ok(page.finish(rows, |row| &row.id))
    }

    /// Applies a masked update and returns the opportunity as now stored.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn update_opportunity(
        &self,
        user_id: &str,
        update: OpportunityUpdate,
    ) -> Result<OpportunityRow> {
        // One transaction, so the answer is exactly what this update wrote.
        let mut tx = self.db.begin().await?;
        let changed =
            opportunities::update(&mut *tx, user_id, &update.id, now(), update.columns).await?;
        if changed == 0 {
            return Err(NOT_FOUND);
        }
        let row = opportunities::find(&mut *tx, user_id, &update.id)
            .await?
            .ok_or(NOT_FOUND)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Deletes one of `user_id`'s opportunities.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn delete_opportunity(&self, user_id: &str, id: &str) -> Result<()> {
        match opportunities::delete(&self.db, user_id, id).await? {
            0 => Err(NOT_FOUND),
            _ => Ok(()),
        }
    }
}
