//! Use cases for contacts and their links to postings, opportunities and
//! interviews. A link write first touches the contact, so concurrent links
//! of one contact count its links in turn; both ends must be the caller's.

use crate::{
    db::{
        Tx,
        contacts::{self, ContactRow, LinkRow},
    },
    domain::{
        contact::{Columns, ContactPage, ContactUpdate, Link, MAX_LINKS_PER_CONTACT},
        now,
    },
    error::{Error, Result},
    state::AppState,
};

/// What `NotFound` names.
const NOT_FOUND: Error = Error::NotFound("contact");

impl AppState {
    /// Stores a new contact for `user_id`.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn create_contact(&self, user_id: &str, columns: Columns) -> Result<ContactRow> {
        let id = uuid::Uuid::now_v7().to_string();
        let mut tx = self.writer.begin().await?;
        contacts::insert(&mut *tx, user_id, &id, columns, now()).await?;
        let row = contacts::find(&mut *tx, user_id, &id)
            .await?
            .ok_or(NOT_FOUND)?;
        tx.commit().await?;
        Ok(row)
    }

    /// One of `user_id`'s contacts.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn get_contact(&self, user_id: &str, id: &str) -> Result<ContactRow> {
        contacts::find(&self.db, user_id, id)
            .await?
            .ok_or(NOT_FOUND)
    }

    /// One page of `user_id`'s contacts (those linked to a parent, if
    /// given, with their links to it) and the next page's token. Another
    /// user's parent is `NOT_FOUND`.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn list_contacts(
        &self,
        user_id: &str,
        query: &ContactPage,
    ) -> Result<(Vec<ContactRow>, String, Vec<LinkRow>)> {
        let page = &query.page;
        let mut tx = self.db.begin().await?;
        if let Some(parent) = &query.parent
            && !contacts::target_exists(&mut *tx, user_id, parent).await?
        {
            return Err(Error::NotFound(parent.kind.noun()));
        }
        let rows = contacts::list(
            &mut *tx,
            user_id,
            &page.after,
            page.fetch_limit(),
            query.parent.as_ref(),
        )
        .await?;
        let (rows, token) = page.finish(rows, |row| &row.id);
        let links = match &query.parent {
            Some(parent) => {
                let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
                contacts::links_to(&mut *tx, user_id, parent, &ids).await?
            }
            None => Vec::new(),
        };
        tx.commit().await?;
        Ok((rows, token, links))
    }

    /// Applies a masked update to one of `user_id`'s contacts.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn update_contact(&self, user_id: &str, update: ContactUpdate) -> Result<ContactRow> {
        let mut tx = self.writer.begin().await?;
        if contacts::update(&mut *tx, user_id, &update.id, now(), &update.columns).await? == 0 {
            return Err(NOT_FOUND);
        }
        let row = contacts::find(&mut *tx, user_id, &update.id)
            .await?
            .ok_or(NOT_FOUND)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Deletes one of `user_id`'s contacts. In the same statement the
    /// database drops its links and clears `recruiter_contact_id` on the
    /// opportunities pointing at it (migration 0004).
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn delete_contact(&self, user_id: &str, id: &str) -> Result<()> {
        match contacts::delete(&self.writer, user_id, id).await? {
            0 => Err(NOT_FOUND),
            _ => Ok(()),
        }
    }

    /// Links one of `user_id`'s contacts to one of their postings,
    /// opportunities or interviews; linking twice returns the first link.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn link_contact(&self, user_id: &str, link: Link) -> Result<LinkRow> {
        let now = now();
        let role = link.role.map(|role| i64::from(role as i32)).unwrap_or(0);
        let mut tx = self.writer.begin().await?;
        if contacts::update(&mut *tx, user_id, &link.contact_id, now, &[]).await? == 0 {
            return Err(NOT_FOUND);
        }
        if !contacts::target_exists(&mut *tx, user_id, &link.target).await? {
            return Err(Error::NotFound(link.target.kind.noun()));
        }
        contacts::link(&mut *tx, user_id, &link.contact_id, &link.target, role, now).await?;
        let count = contacts::count_links(&mut *tx, user_id, &link.contact_id).await?;
        if usize::try_from(count).unwrap_or(usize::MAX) > MAX_LINKS_PER_CONTACT {
            return Err(Error::invalid(
                "link.contact_id",
                format!("the contact already has {MAX_LINKS_PER_CONTACT} links"),
            ));
        }
        let row = contacts::links_between(&mut *tx, user_id, &link.contact_id, &link.target)
            .await?
            .into_iter()
            .find(|row| row.role == role)
            .ok_or(Error::NotFound("contact link"))?;
        tx.commit().await?;
        Ok(row)
    }

    /// Removes a link (one role, or all) of one of `user_id`'s contacts.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn unlink_contact(&self, user_id: &str, link: Link) -> Result<()> {
        let role = link.role.map(|role| i64::from(role as i32));
        let mut tx = self.writer.begin().await?;
        if contacts::update(&mut *tx, user_id, &link.contact_id, now(), &[]).await? == 0 {
            return Err(NOT_FOUND);
        }
        if contacts::unlink(&mut *tx, user_id, &link.contact_id, &link.target, role).await? == 0 {
            return Err(Error::NotFound("contact link"));
        }
        tx.commit().await?;
        Ok(())
    }
}

/// `NOT_FOUND` unless `id` is one of `user_id`'s contacts: the check an
/// opportunity's `recruiter_contact_id` passes in its write transaction (the
/// column's foreign key cannot include the owner).
pub(crate) async fn check_contact(tx: &mut Tx, user_id: &str, id: &str) -> Result<()> {
    contacts::find(&mut **tx, user_id, id)
        .await?
        .map(|_| ())
        .ok_or(NOT_FOUND)
}
