//! SQL for the `contacts` and `contact_links` tables. Every statement is
//! scoped by the owning user's id; table and column names come only from
//! [`TargetKind`]'s fixed lists.

use sqlx::{Any, Executor, FromRow};

use super::Statement;
use crate::domain::{
    Value,
    contact::{Target, TargetKind},
};

/// Columns of [`ContactRow`], qualified by the `c` alias.
const COLUMNS: &str = "c.id, c.name, c.company, c.title, c.email, c.phone, c.links, c.notes, \
     c.create_time, c.update_time";

/// Columns of [`LinkRow`].
const LINK_COLUMNS: &str =
    "contact_id, job_posting_id, opportunity_id, interview_id, role, create_time";

/// A stored contact; `links` is a JSON list of URLs.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub company: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub links: String,
    pub notes: String,
    pub create_time: i64,
    pub update_time: i64,
}

/// A stored link; exactly one target column is set.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct LinkRow {
    pub contact_id: String,
    pub job_posting_id: Option<String>,
    pub opportunity_id: Option<String>,
    pub interview_id: Option<String>,
    pub role: i64,
    pub create_time: i64,
}

impl LinkRow {
    /// What the link points at.
    pub fn target(&self) -> Target {
        let (kind, id) = match (&self.job_posting_id, &self.opportunity_id) {
            (Some(id), _) => (TargetKind::Posting, Some(id)),
            (None, Some(id)) => (TargetKind::Opportunity, Some(id)),
            // The table's CHECK guarantees exactly one is set.
            (None, None) => (TargetKind::Interview, self.interview_id.as_ref()),
        };
        Target {
            kind,
            id: id.cloned().unwrap_or_default(),
        }
    }
}

/// Stores a new contact of `user_id`.
pub async fn insert(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    columns: Vec<(&'static str, Value)>,
    now: i64,
) -> sqlx::Result<()> {
    let mut all = vec![
        ("user_id", Value::from(user_id)),
        ("id", id.into()),
        ("create_time", now.into()),
        ("update_time", now.into()),
    ];
    all.extend(columns);
    Statement::insert("contacts", &all).execute(db).await?;
    Ok(())
}

/// One of `user_id`'s contacts.
pub async fn find(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<Option<ContactRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM contacts c WHERE c.user_id = $1 AND c.id = $2"
    ))
    .bind(user_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Up to `limit` of `user_id`'s contacts after id `after`, in id order;
/// with `linked_to`, only those linked to it.
pub async fn list(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    after: &str,
    limit: i64,
    linked_to: Option<&Target>,
) -> sqlx::Result<Vec<ContactRow>> {
    let mut sql = Statement::new(&format!("SELECT {COLUMNS} FROM contacts c"));
    sql.push(" WHERE c.user_id = ").bind(user_id);
    sql.push(" AND c.id > ").bind(after);
    if let Some(target) = linked_to {
        sql.push(" AND EXISTS (SELECT 1 FROM contact_links l WHERE l.user_id = c.user_id");
        sql.push(" AND l.contact_id = c.id");
        sql.push(&format!(" AND l.{} = ", target.kind.column()))
            .bind(target.id.as_str())
            .push(")");
    }
    sql.push(" ORDER BY c.id LIMIT ").bind(limit);
    sql.fetch_all(db).await
}

/// Sets validated `columns` (and `update_time`) of one of `user_id`'s
/// contacts; returns rows changed (0: not the user's). With no columns it
/// only touches the contact: the first statement of a link write, which
/// serialises writers of one contact's links.
pub async fn update(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    now: i64,
    columns: &[(&'static str, Value)],
) -> sqlx::Result<u64> {
    let mut all = columns.to_vec();
    all.push(("update_time", now.into()));
    Statement::update("contacts", user_id, id, &all)
        .execute(db)
        .await
}

/// Deletes one of `user_id`'s contacts. Its links go by cascade, and
/// opportunities pointing at it lose the reference (ON DELETE SET NULL).
pub async fn delete(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<u64> {
    Statement::delete("contacts", user_id, id).execute(db).await
}

/// Whether `target` is one of `user_id`'s.
pub async fn target_exists(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    target: &Target,
) -> sqlx::Result<bool> {
    super::exists(db, target.kind.table(), user_id, &target.id).await
}

/// Links a contact to `target` in `role`; an existing identical link is
/// kept as it is (ON CONFLICT DO NOTHING, on both backends).
pub async fn link(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    contact_id: &str,
    target: &Target,
    role: i64,
    now: i64,
) -> sqlx::Result<()> {
    let mut sql = Statement::new(&format!(
        "INSERT INTO contact_links (user_id, contact_id, {}, role, create_time) VALUES (",
        target.kind.column()
    ));
    sql.bind_list([
        Value::from(user_id),
        contact_id.into(),
        target.id.as_str().into(),
        role.into(),
        now.into(),
    ]);
    sql.push(") ON CONFLICT DO NOTHING");
    sql.execute(db).await?;
    Ok(())
}

/// The links of `contact_id` to `target` (all roles, or one), by role.
pub async fn links_between(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    contact_id: &str,
    target: &Target,
) -> sqlx::Result<Vec<LinkRow>> {
    let mut sql = Statement::new(&format!("SELECT {LINK_COLUMNS} FROM contact_links"));
    sql.push(" WHERE user_id = ").bind(user_id);
    sql.push(" AND contact_id = ").bind(contact_id);
    sql.push(&format!(" AND {} = ", target.kind.column()))
        .bind(target.id.as_str());
    sql.push(" ORDER BY role");
    sql.fetch_all(db).await
}

/// The links of `contact_ids` to `target`, by contact then role.
pub async fn links_to(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    target: &Target,
    contact_ids: &[&str],
) -> sqlx::Result<Vec<LinkRow>> {
    if contact_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Statement::new(&format!("SELECT {LINK_COLUMNS} FROM contact_links"));
    sql.push(" WHERE user_id = ").bind(user_id);
    sql.push(&format!(" AND {} = ", target.kind.column()))
        .bind(target.id.as_str());
    sql.push(" AND contact_id IN (")
        .bind_list(contact_ids.iter().copied())
        .push(")");
    sql.push(" ORDER BY contact_id, role");
    sql.fetch_all(db).await
}

/// How many links `contact_id` has.
pub async fn count_links(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    contact_id: &str,
) -> sqlx::Result<i64> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT COUNT(*) FROM contact_links WHERE user_id = $1 AND contact_id = $2")
            .bind(user_id)
            .bind(contact_id)
            .fetch_all(db)
            .await?;
    Ok(rows.first().map_or(0, |(n,)| *n))
}

/// Removes the links of `contact_id` to `target` in `role` (`None`: every
/// role); returns how many went.
pub async fn unlink(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    contact_id: &str,
    target: &Target,
    role: Option<i64>,
) -> sqlx::Result<u64> {
    let mut sql = Statement::new("DELETE FROM contact_links WHERE user_id = ");
    sql.bind(user_id);
    sql.push(" AND contact_id = ").bind(contact_id);
    sql.push(&format!(" AND {} = ", target.kind.column()))
        .bind(target.id.as_str());
    if let Some(role) = role {
        sql.push(" AND role = ").bind(role);
    }
    sql.execute(db).await
}
