//! SQL for `tags` and the link tables `posting_tags` and `opportunity_tags`.
//! Every statement is scoped by the owning user's id; table and column
//! names come only from [`ParentKind`]'s fixed lists.

use std::collections::HashMap;

use sqlx::{Any, Executor, FromRow};

use super::{Statement, Tx};
use crate::domain::{stage::ParentKind, tag::TagName};

/// The link table of a parent kind.
fn links(kind: ParentKind) -> &'static str {
    match kind {
        ParentKind::Posting => "posting_tags",
        ParentKind::Opportunity => "opportunity_tags",
    }
}

/// A stored tag with how many postings and opportunities carry it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TagRow {
    pub id: String,
    pub name: String,
    pub job_postings: i64,
    pub opportunities: i64,
    pub create_time: i64,
}

/// Replaces the tags of one of `user_id`'s postings or opportunities with
/// `tags`, creating the names not yet used. The caller has already written
/// the parent in this transaction (so it is the user's, and locked).
pub async fn set(
    tx: &mut Tx,
    user_id: &str,
    kind: ParentKind,
    parent_id: &str,
    tags: &[TagName],
    now: i64,
) -> sqlx::Result<()> {
    for tag in tags {
        // A concurrent first use of the same name waits for the other
        // transaction and then does nothing: both link the one tag.
        sqlx::query(
            "INSERT INTO tags (user_id, id, name, name_key, create_time) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, name_key) DO NOTHING",
        )
        .bind(user_id)
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(tag.name.as_str())
        .bind(tag.key.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    let (table, column) = (links(kind), kind.column());
    let mut clear = Statement::new(&format!("DELETE FROM {table} WHERE user_id = "));
    clear
        .bind(user_id)
        .push(&format!(" AND {column} = "))
        .bind(parent_id);
    clear.execute(&mut **tx).await?;
    if tags.is_empty() {
        return Ok(());
    }
    let mut link = Statement::new(&format!(
        "INSERT INTO {table} (user_id, {column}, tag_id) SELECT user_id, "
    ));
    link.bind(parent_id)
        .push(", id FROM tags WHERE user_id = ")
        .bind(user_id);
    link.push(" AND name_key IN (")
        .bind_list(tags.iter().map(|tag| tag.key.as_str()))
        .push(")");
    link.execute(&mut **tx).await?;
    Ok(())
}

/// The tag names of `user_id`'s postings or opportunities `parent_ids`,
/// each list sorted by key (name ignoring case). Sorted here rather than
/// by `ORDER BY`, whose order follows PostgreSQL's collation.
pub async fn of(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    kind: ParentKind,
    parent_ids: &[&str],
) -> sqlx::Result<HashMap<String, Vec<String>>> {
    if parent_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (table, column) = (links(kind), kind.column());
    let mut sql = Statement::new(&format!(
        "SELECT l.{column} AS parent_id, t.name_key AS name_key, t.name AS name FROM {table} l \
         JOIN tags t ON t.user_id = l.user_id AND t.id = l.tag_id WHERE l.user_id = "
    ));
    sql.bind(user_id).push(&format!(" AND l.{column} IN ("));
    sql.bind_list(parent_ids.iter().copied());
    sql.push(")");
    let mut rows: Vec<(String, String, String)> = sql.fetch_all(db).await?;
    rows.sort_unstable_by(|a, b| (&a.1, &a.2).cmp(&(&b.1, &b.2)));
    let mut by_parent: HashMap<String, Vec<String>> = HashMap::new();
    for (parent_id, _, name) in rows {
        by_parent.entry(parent_id).or_default().push(name);
    }
    Ok(by_parent)
}

/// Appends ` AND EXISTS (...)`: the row of `kind`'s table, named `parent`
/// in the outer query (its table name or alias), carries the tag of key
/// `key`.
pub fn push_filter(sql: &mut Statement, kind: ParentKind, parent: &str, key: &str) {
    let (table, column) = (links(kind), kind.column());
    sql.push(&format!(
        " AND EXISTS (SELECT 1 FROM {table} l JOIN tags t \
         ON t.user_id = l.user_id AND t.id = l.tag_id \
         WHERE l.user_id = {parent}.user_id AND l.{column} = {parent}.id AND t.name_key = "
    ));
    sql.bind(key).push(")");
}

/// `SELECT` of [`TagRow`]s from `tags t`, to be followed by a `WHERE`.
const SELECT_TAGS: &str = "SELECT t.id, t.name, \
     (SELECT COUNT(*) FROM posting_tags p WHERE p.user_id = t.user_id AND p.tag_id = t.id) \
     AS job_postings, \
     (SELECT COUNT(*) FROM opportunity_tags o WHERE o.user_id = t.user_id AND o.tag_id = t.id) \
     AS opportunities, t.create_time FROM tags t";

/// Up to `limit` of `user_id`'s tags after id `after`, in id (= creation)
/// order, with their counts.
pub async fn list(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    after: &str,
    limit: i64,
) -> sqlx::Result<Vec<TagRow>> {
    sqlx::query_as(&format!(
        "{SELECT_TAGS} WHERE t.user_id = $1 AND t.id > $2 ORDER BY t.id LIMIT $3"
    ))
    .bind(user_id)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// One of `user_id`'s tags, with its counts.
pub async fn find(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<Option<TagRow>> {
    sqlx::query_as(&format!("{SELECT_TAGS} WHERE t.user_id = $1 AND t.id = $2"))
        .bind(user_id)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Renames one of `user_id`'s tags; returns rows changed. A name another of
/// the user's tags has violates the unique index `tags_name_key`.
pub async fn rename(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
    tag: &TagName,
) -> sqlx::Result<u64> {
    let done =
        sqlx::query("UPDATE tags SET name = $1, name_key = $2 WHERE user_id = $3 AND id = $4")
            .bind(tag.name.as_str())
            .bind(tag.key.as_str())
            .bind(user_id)
            .bind(id)
            .execute(db)
            .await?;
    Ok(done.rows_affected())
}

/// Whether `error` is the unique index on tag names refusing a write.
pub fn is_name_taken(error: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = error else {
        return false;
    };
    // PostgreSQL names the index; SQLite names its columns in the message.
    let text = db.constraint().unwrap_or_else(|| db.message());
    db.is_unique_violation() && (text.contains("tags_name_key") || text.contains("tags.name_key"))
}

/// Deletes one of `user_id`'s tags (its links go with it); returns rows
/// deleted.
pub async fn delete(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    id: &str,
) -> sqlx::Result<u64> {
    Statement::delete("tags", user_id, id).execute(db).await
}
