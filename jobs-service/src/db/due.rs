//! SQL for `ListDue`: the caller's postings and opportunities whose
//! follow-up falls before a time, one ordered list over both tables, each
//! branch read through its `(user_id, follow_up_at, id)` index.

use sqlx::{Any, Executor, FromRow};

use super::Statement;

/// One posting (`kind` "p") or opportunity ("o") to follow up on.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DueRow {
    pub kind: String,
    pub id: String,
    pub title: String,
    pub company: String,
    pub follow_up_at: i64,
}

/// Up to `limit` of `user_id`'s follow-ups due before `until`, after
/// position `after`, ordered by `(follow_up_at, id)`.
pub async fn list(
    db: impl Executor<'_, Database = Any>,
    user_id: &str,
    until: i64,
    after: Option<&(i64, String)>,
    limit: i64,
) -> sqlx::Result<Vec<DueRow>> {
    let branches = [
        ("'p'", "posting_title", "company_name", "job_postings"),
        ("'o'", "job_title", "recruiter_company", "opportunities"),
    ];
    let mut sql = Statement::new("SELECT kind, id, title, company, follow_up_at FROM (");
    for (i, (kind, title, company, table)) in branches.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push(&format!(
            "SELECT {kind} AS kind, id, {title} AS title, {company} AS company, follow_up_at \
             FROM {table} WHERE user_id = "
        ));
        sql.bind(user_id).push(" AND follow_up_at < ").bind(until);
        if let Some((at, id)) = after {
            sql.push(" AND (follow_up_at > ").bind(*at);
            sql.push(" OR (follow_up_at = ").bind(*at);
            sql.push(" AND id > ").bind(id.as_str()).push("))");
        }
    }
    sql.push(") due ORDER BY follow_up_at, id LIMIT ")
        .bind(limit);
    sql.fetch_all(db).await
}
