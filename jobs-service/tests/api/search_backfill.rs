//! The search index is created after the portable migrations, so postings
//! stored before it must be back-filled; creating it again changes nothing.

use jobs_service::{
    db::{MIGRATOR, search::Index},
    domain::{
        job_posting::PostingFilter,
        search::{Search, SearchQuery},
    },
};
use sqlx::{AnyPool, any::AnyPoolOptions};

/// A fresh, migrated database of the backend under test.
async fn database() -> (AnyPool, tempfile::TempDir) {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let url = match shared::testing::database_url("jobs_search").await {
        Some(url) => url,
        None => format!("sqlite://{}?mode=rwc", dir.path().join("jobs.db").display()),
    };
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    MIGRATOR.run(&pool).await.unwrap();
    (pool, dir)
}

/// The ids of `user`'s postings matching `text`.
async fn hits(pool: &AnyPool, index: Index, user: &str, text: &str) -> Vec<String> {
    let search = Search {
        query: SearchQuery::parse(text).unwrap(),
        filter: PostingFilter::default(),
        offset: 0,
        size: 10,
    };
    let rows = index.search(pool, user, &search, 10).await.unwrap();
    rows.into_iter().map(|row| row.id).collect()
}

#[tokio::test]
async fn postings_stored_before_the_index_existed_are_found() {
    let (pool, _dir) = database().await;
    sqlx::query(
        "INSERT INTO job_sites (user_id, id, site_name, create_time, update_time) \
         VALUES ('u1', 'site', 'Board', 1, 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO job_postings (user_id, id, job_site_id, company_name, posting_title, \
         posting_status, comments, create_time, update_time) \
         VALUES ('u1', $1, 'site', 'Acme', 'Rust Engineer', 1, $2, 1, 1)",
    )
    .bind(id.as_str())
    .bind(r#"[{"text":"met the Kubernetes team","create_time":5}]"#)
    .execute(&pool)
    .await
    .unwrap();

    let index = Index::install(&pool).await.unwrap();
    assert_eq!(hits(&pool, index, "u1", "rust").await, [id.as_str()]);
    assert_eq!(hits(&pool, index, "u1", "kubernetes").await, [id.as_str()]);
    // The comments' times are not words of the index.
    assert!(hits(&pool, index, "u1", "5").await.is_empty());
    assert!(hits(&pool, index, "u2", "rust").await.is_empty());

    // Installing again neither fails nor indexes the posting twice.
    assert_eq!(Index::install(&pool).await.unwrap(), index);
    assert_eq!(hits(&pool, index, "u1", "acme").await, [id.as_str()]);

    // From now on the index follows the table.
    sqlx::query("UPDATE job_postings SET posting_title = 'Go Engineer' WHERE id = $1")
        .bind(id.as_str())
        .execute(&pool)
        .await
        .unwrap();
    assert!(hits(&pool, index, "u1", "rust").await.is_empty());
    assert_eq!(hits(&pool, index, "u1", "go").await, [id.as_str()]);
    sqlx::query("DELETE FROM job_postings WHERE id = $1")
        .bind(id.as_str())
        .execute(&pool)
        .await
        .unwrap();
    assert!(hits(&pool, index, "u1", "go").await.is_empty());
}

#[tokio::test]
async fn an_index_of_the_earlier_layout_is_replaced_and_filled() {
    if shared::testing::expected_backend() != "SQLite" {
        return crate::helpers::skip("earlier FTS5 layout", "SQLite only");
    }
    let (pool, _dir) = database().await;
    // The layout before the owner column, with one of its triggers.
    sqlx::raw_sql(
        "CREATE VIRTUAL TABLE job_postings_fts USING fts5(company_name, posting_title, \
         job_description, notes, content='job_postings', content_rowid='rowid'); \
         CREATE TRIGGER job_postings_fts_insert AFTER INSERT ON job_postings BEGIN \
         INSERT INTO job_postings_fts (rowid, company_name, posting_title, job_description, notes) \
         VALUES (new.rowid, new.company_name, new.posting_title, new.job_description, ''); END; \
         INSERT INTO job_sites (user_id, id, site_name, create_time, update_time) \
         VALUES ('u1', 'site', 'Board', 1, 1), ('u2', 'site', 'Board', 1, 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut ids = Vec::new();
    for user in ["u1", "u2"] {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO job_postings (user_id, id, job_site_id, company_name, posting_title, \
             posting_status, create_time, update_time) \
             VALUES ($1, $2, 'site', 'Acme', 'Rust Engineer', 1, 1, 1)",
        )
        .bind(user)
        .bind(id.as_str())
        .execute(&pool)
        .await
        .unwrap();
        ids.push(id);
    }

    let index = Index::install(&pool).await.unwrap();
    let owner: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pragma_table_info('job_postings_fts') WHERE name = 'owner'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(owner, 1, "the index has the owner column");
    assert_eq!(hits(&pool, index, "u1", "rust").await, [ids[0].as_str()]);
    assert_eq!(hits(&pool, index, "u2", "acme").await, [ids[1].as_str()]);
    // The new triggers replaced the old: a new posting is found by owner.
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO job_postings (user_id, id, job_site_id, company_name, posting_title, \
         posting_status, create_time, update_time) \
         VALUES ('u1', $1, 'site', 'Globex', 'Go Engineer', 1, 1, 1)",
    )
    .bind(id.as_str())
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(hits(&pool, index, "u1", "globex").await, [id.as_str()]);
    assert!(hits(&pool, index, "u2", "globex").await.is_empty());
}
