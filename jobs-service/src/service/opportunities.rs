//! Use cases for recruiter opportunities: create, get, list, update and
//! delete, each scoped to the calling user.

use crate::{
    db::opportunities::{self, OpportunityRow},
    domain::{
        follow_up, now,
        opportunity::{Columns, OpportunityUpdate, recruiter_contact},
        stage::{LegacyChanges, Parent, ParentKind},
    },
    error::{Error, Result},
    paging::Page,
    service::{contacts::check_contact, stage_events::apply_legacy},
    state::AppState,
};

/// Where a status change is reported if the history is full.
const STATUS_FIELD: &str = "opportunity.opportunity_status";

/// What `NotFound` names.
const NOT_FOUND: Error = Error::NotFound("opportunity");

impl AppState {
    /// Stores a new opportunity for `user_id` and returns it. Its status
    /// becomes its first stage event.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn create_opportunity(
        &self,
        user_id: &str,
        mut columns: Columns,
    ) -> Result<OpportunityRow> {
        let id = uuid::Uuid::now_v7().to_string();
        let legacy = LegacyChanges::take(ParentKind::Opportunity, &mut columns);
        // A placeholder until the history decides it, below.
        columns.push(("opportunity_status", legacy.status.unwrap_or(1).into()));
        let now = now();
        // Read back in the same transaction: the answer is exactly what was
        // stored, defaults included.
        let mut tx = self.db.begin().await?;
        if let Some(contact) = recruiter_contact(&columns) {
            check_contact(&mut tx, user_id, contact).await?;
        }
        opportunities::insert(&mut *tx, user_id, &id, now, columns).await?;
        let parent = Parent {
            kind: ParentKind::Opportunity,
            id: id.clone(),
        };
        let rules = self.rules();
        apply_legacy(
            &mut tx,
            user_id,
            &parent,
            &legacy,
            now,
            &rules,
            STATUS_FIELD,
        )
        .await?;
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

    /// Applies a masked update and returns the opportunity as now stored; a
    /// cleared follow-up date is derived again by the rules.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn update_opportunity(
        &self,
        user_id: &str,
        update: OpportunityUpdate,
    ) -> Result<OpportunityRow> {
        let OpportunityUpdate { id, mut columns } = update;
        let legacy = LegacyChanges::take(ParentKind::Opportunity, &mut columns);
        let rederive = !legacy.is_empty() || follow_up::hands_back_to_rules(&columns);
        let now = now();
        // One transaction, so the answer is exactly what this update wrote.
        let mut tx = self.db.begin().await?;
        if let Some(contact) = recruiter_contact(&columns) {
            check_contact(&mut tx, user_id, contact).await?;
        }
        if opportunities::update(&mut *tx, user_id, &id, now, columns).await? == 0 {
            return Err(NOT_FOUND);
        }
        if rederive {
            let parent = Parent {
                kind: ParentKind::Opportunity,
                id: id.clone(),
            };
            let rules = self.rules();
            apply_legacy(
                &mut tx,
                user_id,
                &parent,
                &legacy,
                now,
                &rules,
                STATUS_FIELD,
            )
            .await?;
        }
        let row = opportunities::find(&mut *tx, user_id, &id)
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
