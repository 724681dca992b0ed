//! Use cases for recruiter opportunities: create, get, list, update and
//! delete, each scoped to the calling user.

use crate::{
    db::{
        Tx,
        opportunities::{self, OpportunityRow},
        tags as tag_links,
    },
    domain::{
        follow_up, now,
        opportunity::{NewOpportunity, OpportunityFilter, OpportunityUpdate, recruiter_contact},
        stage::{LegacyChanges, Parent, ParentKind},
    },
    error::{Error, Result},
    paging::Page,
    service::{contacts::check_contact, stage_events::apply_legacy, tags::opportunity_tags},
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
        new: NewOpportunity,
    ) -> Result<OpportunityRow> {
        let NewOpportunity { mut columns, tags } = new;
        let id = uuid::Uuid::now_v7().to_string();
        let legacy = LegacyChanges::take(ParentKind::Opportunity, &mut columns);
        // A placeholder until the history decides it, below.
        columns.push(("opportunity_status", legacy.status.unwrap_or(1).into()));
        let now = now();
        // Read back in the same transaction: the answer is exactly what was
        // stored, defaults included.
        let mut tx = self.writer.begin().await?;
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
        tag_links::set(&mut tx, user_id, ParentKind::Opportunity, &id, &tags, now).await?;
        let row = find_with_tags(&mut tx, user_id, &id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// One of `user_id`'s opportunities.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn get_opportunity(&self, user_id: &str, id: &str) -> Result<OpportunityRow> {
        let mut row = opportunities::find(&self.db, user_id, id)
            .await?
            .ok_or(NOT_FOUND)?;
        opportunity_tags(&self.db, user_id, std::slice::from_mut(&mut row)).await?;
        Ok(row)
    }

    /// One page of `user_id`'s opportunities passing `filter` and the next
    /// page's token.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn list_opportunities(
        &self,
        user_id: &str,
        page: &Page,
        filter: &OpportunityFilter,
    ) -> Result<(Vec<OpportunityRow>, String)> {
        let limit = page.fetch_limit();
        let rows = opportunities::list(&self.db, user_id, &page.after, limit, filter).await?;
        let (mut rows, token) = page.finish(rows, |row| &row.id);
        opportunity_tags(&self.db, user_id, &mut rows).await?;
        Ok((rows, token))
    }

    /// Applies a masked update and returns the opportunity as now stored; a
    /// cleared follow-up date is derived again by the rules.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn update_opportunity(
        &self,
        user_id: &str,
        update: OpportunityUpdate,
    ) -> Result<OpportunityRow> {
        let OpportunityUpdate {
            id,
            mut columns,
            tags,
        } = update;
        let legacy = LegacyChanges::take(ParentKind::Opportunity, &mut columns);
        let rederive = !legacy.is_empty() || follow_up::hands_back_to_rules(&columns);
        let now = now();
        // One transaction, so the answer is exactly what this update wrote.
        let mut tx = self.writer.begin().await?;
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
        if let Some(tags) = tags {
            tag_links::set(&mut tx, user_id, ParentKind::Opportunity, &id, &tags, now).await?;
        }
        let row = find_with_tags(&mut tx, user_id, &id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Deletes one of `user_id`'s opportunities.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn delete_opportunity(&self, user_id: &str, id: &str) -> Result<()> {
        match opportunities::delete(&self.writer, user_id, id).await? {
            0 => Err(NOT_FOUND),
            _ => Ok(()),
        }
    }
}

/// One of `user_id`'s opportunities with its tags, read in `tx`.
async fn find_with_tags(tx: &mut Tx, user_id: &str, id: &str) -> Result<OpportunityRow> {
    let mut row = opportunities::find(&mut **tx, user_id, id)
        .await?
        .ok_or(NOT_FOUND)?;
    opportunity_tags(&mut **tx, user_id, std::slice::from_mut(&mut row)).await?;
    Ok(row)
}
