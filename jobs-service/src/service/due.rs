//! Use case for `ListDue`: what needs following up in a window.

use crate::{
    db::due::{self, DueRow},
    domain::{follow_up::DueQuery, stage_event::EventPage},
    error::Result,
    state::AppState,
};

impl AppState {
    /// One page of `user_id`'s due follow-ups and the next page's token.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn list_due(&self, user_id: &str, query: &DueQuery) -> Result<(Vec<DueRow>, String)> {
        let limit = query.size + 1;
        let mut rows =
            due::list(&self.db, user_id, query.until, query.after.as_ref(), limit).await?;
        let size = usize::try_from(query.size).unwrap_or(usize::MAX);
        if rows.len() <= size {
            return Ok((rows, String::new()));
        }
        rows.truncate(size);
        let token = rows
            .last()
            .map(|row| EventPage::token(row.follow_up_at, &row.id))
            .unwrap_or_default();
        Ok((rows, token))
    }
}
