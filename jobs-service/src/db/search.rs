//! Full-text search over job postings: the one place the SQL differs by
//! backend, behind one interface, [`Index`].
//!
//! What is searched: the company, the title, the job description and the
//! notes (the comments' texts, the outreach notes and the scan notes). The
//! company and title weigh most, so a title match ranks above a match only
//! in the description or notes.
//!
//! - SQLite: an FTS5 external-content table over `job_postings` (by rowid),
//!   kept by triggers, ranked by `bm25` with column weights. Its `notes`
//!   column is computed by the triggers, and so is `owner` (the user id as
//!   one token, which makes a match per user), so the index is never
//!   `rebuild` from the content table. An index without `owner` (an earlier
//!   layout) is replaced at start. `VACUUM` may renumber the rowids of a table
//!   without an INTEGER PRIMARY KEY: after one, drop `job_postings_fts` and
//!   restart, which re-creates and back-fills it.
//! - PostgreSQL: a stored generated `tsvector` column (weights A for company
//!   and title, C for the description, D for notes) with a GIN index,
//!   ranked by `ts_rank`.
//!
//! Both use no stemming and no stop words (FTS5's `unicode61` tokenizer,
//! PostgreSQL's `simple` configuration), so they find the same words.
//! [`Index::install`] creates either after the portable migrations,
//! idempotently, back-filling the postings already stored.

use anyhow::Context as _;
use sqlx::{Any, Executor};

use super::{
    Pool, Statement, Tx,
    job_postings::{JobPostingRow, LIST_COLUMNS, push_filter},
};
use crate::domain::search::Search;

/// The text of a posting's notes for the SQLite index, over the row `row`
/// (`new` or `old` in a trigger, the table in the back-fill).
macro_rules! notes {
    ($row:literal) => {
        concat!(
            $row,
            ".outreach_info || ' ' || ",
            $row,
            ".job_scan_info || ' ' || coalesce((SELECT group_concat(json_extract(c.value, '$.text'), ' ') FROM json_each(",
            $row,
            ".comments) c), '')"
        )
    };
}

/// The owner's token for the SQLite index, over the row `row`: the user id
/// without its hyphens, so a UUID is one token (any other id is still a
/// phrase that matches only itself, as a query tokenises it alike).
macro_rules! owner {
    ($row:literal) => {
        concat!("replace(", $row, ".user_id, '-', '')")
    };
}

/// `bm25` over (company, title, description, notes, owner), with the
/// company and title ten times the description and notes; the owner, which
/// every hit matches, weighs nothing.
const SQLITE_RANK: &str = "bm25(job_postings_fts, 10.0, 10.0, 1.0, 1.0, 0.0)";

/// The `owner` column makes a match per user: FTS5 intersects the query's
/// words with the owner's postings and ranks only those, so one user's
/// search does not cost in proportion to every user's postings.
const SQLITE_TABLE: &str = "CREATE VIRTUAL TABLE job_postings_fts USING fts5(\
    company_name, posting_title, job_description, notes, owner, \
    content='job_postings', content_rowid='rowid')";

/// The searched columns (not the owner), for the query's column filter.
const SQLITE_SEARCHED: &str = "{company_name posting_title job_description notes}";

/// 1 if the index exists with the `owner` column (earlier layouts had
/// none), else 0.
const SQLITE_CURRENT: &str = "SELECT COUNT(*) FROM pragma_table_info('job_postings_fts') \
    WHERE name = 'owner'";

const SQLITE_BACKFILL: &str = concat!(
    "INSERT INTO job_postings_fts (rowid, company_name, posting_title, job_description, notes, owner) \
     SELECT rowid, company_name, posting_title, job_description, ",
    notes!("job_postings"),
    ", ",
    owner!("job_postings"),
    " FROM job_postings"
);

/// The triggers' names, to drop an earlier layout's.
const SQLITE_TRIGGER_NAMES: [&str; 3] = [
    "job_postings_fts_insert",
    "job_postings_fts_delete",
    "job_postings_fts_update",
];

const SQLITE_TRIGGERS: [&str; 3] = [
    concat!(
        "CREATE TRIGGER IF NOT EXISTS job_postings_fts_insert AFTER INSERT ON job_postings BEGIN \
         INSERT INTO job_postings_fts (rowid, company_name, posting_title, job_description, notes, owner) \
         VALUES (new.rowid, new.company_name, new.posting_title, new.job_description, ",
        notes!("new"),
        ", ",
        owner!("new"),
        "); END"
    ),
    concat!(
        "CREATE TRIGGER IF NOT EXISTS job_postings_fts_delete AFTER DELETE ON job_postings BEGIN \
         INSERT INTO job_postings_fts \
         (job_postings_fts, rowid, company_name, posting_title, job_description, notes, owner) \
         VALUES ('delete', old.rowid, old.company_name, old.posting_title, old.job_description, ",
        notes!("old"),
        ", ",
        owner!("old"),
        "); END"
    ),
    // Only the searched columns: a status change does not touch the index.
    concat!(
        "CREATE TRIGGER IF NOT EXISTS job_postings_fts_update AFTER UPDATE OF company_name, \
         posting_title, job_description, outreach_info, job_scan_info, comments \
         ON job_postings BEGIN \
         INSERT INTO job_postings_fts \
         (job_postings_fts, rowid, company_name, posting_title, job_description, notes, owner) \
         VALUES ('delete', old.rowid, old.company_name, old.posting_title, old.job_description, ",
        notes!("old"),
        ", ",
        owner!("old"),
        "); INSERT INTO job_postings_fts \
         (rowid, company_name, posting_title, job_description, notes, owner) \
         VALUES (new.rowid, new.company_name, new.posting_title, new.job_description, ",
        notes!("new"),
        ", ",
        owner!("new"),
        "); END"
    ),
];

/// The generated column; adding it computes it for every stored row, which
/// is the back-fill. `jsonb_to_tsvector` over the comments' JSON indexes
/// only its strings: the texts (the times are numbers).
const POSTGRES_COLUMN: &str = "ALTER TABLE job_postings ADD COLUMN IF NOT EXISTS search_vector \
    tsvector GENERATED ALWAYS AS (\
    setweight(to_tsvector('simple'::regconfig, company_name), 'A') || \
    setweight(to_tsvector('simple'::regconfig, posting_title), 'A') || \
    setweight(to_tsvector('simple'::regconfig, job_description), 'C') || \
    setweight(to_tsvector('simple'::regconfig, outreach_info || ' ' || job_scan_info), 'D') || \
    setweight(jsonb_to_tsvector('simple'::regconfig, comments::jsonb, '[\"string\"]'), 'D')\
    ) STORED";

const POSTGRES_INDEX: &str = "CREATE INDEX IF NOT EXISTS job_postings_search \
    ON job_postings USING GIN (search_vector)";

/// An arbitrary constant naming the install's advisory lock, so replicas
/// starting together install once, one after the other.
const POSTGRES_LOCK: i64 = 0x6a6f_6273_6674_7331;

/// The search index of the pool's backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// SQLite FTS5.
    Fts5,
    /// PostgreSQL `tsvector`.
    Tsvector,
}

impl Index {
    /// Creates the index of `pool`'s backend if it is missing, back-filling
    /// the postings already stored, and returns it. Run after the
    /// migrations; running it again changes nothing.
    pub async fn install(pool: &Pool) -> anyhow::Result<Self> {
        let backend = pool.acquire().await?.backend_name().to_owned();
        match backend.as_str() {
            "SQLite" => install_sqlite(pool).await.map(|()| Self::Fts5),
            "PostgreSQL" => install_postgres(pool).await.map(|()| Self::Tsvector),
            other => anyhow::bail!("full-text search does not support the {other} backend"),
        }
    }

    /// Opens a transaction that writes searched columns of `job_postings`.
    /// On SQLite its first statement takes the write lock without touching
    /// the index: the FTS5 triggers read the index's own tables within the
    /// statement that fires them, and a deferred transaction whose first
    /// statement does so fails at once with SQLITE_BUSY when another writer
    /// holds the lock, instead of waiting for it. (`BEGIN IMMEDIATE` would
    /// say the same, but sqlx refuses it on a pooled connection whose
    /// failed commit, e.g. on a full disk, left a transaction depth behind,
    /// which would stop every later posting write on that connection.)
    /// PostgreSQL's default transaction suits.
    pub async fn begin_write(self, pool: &Pool) -> sqlx::Result<Tx> {
        let mut tx = pool.begin().await?;
        if self == Self::Fts5 {
            // Matches no row; `update_time` fires no index trigger.
            sqlx::query("UPDATE job_postings SET update_time = update_time WHERE 0")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Up to `limit` of `user_id`'s postings matching `search` (its query
    /// and filters), best first then by id, after skipping `search.offset`,
    /// with empty passwords. A query without words matches nothing.
    pub async fn search(
        self,
        db: impl Executor<'_, Database = Any>,
        user_id: &str,
        search: &Search,
        limit: i64,
    ) -> sqlx::Result<Vec<JobPostingRow>> {
        if search.query.words.is_empty() {
            return Ok(Vec::new());
        }
        let sql = match self {
            Self::Fts5 => {
                // The inner query ranks and pages narrow rows (the rowid,
                // the score and the id); only the page's postings are read
                // whole, by rowid. Filters name the table `job_postings`,
                // whose filtered columns no FTS column shares a name with.
                let mut sql = Statement::new(&format!(
                    "SELECT {LIST_COLUMNS} FROM (SELECT job_postings.rowid AS hit, \
                     {SQLITE_RANK} AS score, job_postings.id AS hit_id FROM job_postings_fts \
                     JOIN job_postings ON job_postings.rowid = job_postings_fts.rowid \
                     WHERE job_postings_fts MATCH "
                ));
                // The owner narrows the match; the user_id test below is
                // what enforces isolation.
                let owner = user_id.replace('-', "");
                sql.bind(format!(
                    "owner : \"{}\" AND {SQLITE_SEARCHED} : ({})",
                    owner.replace('"', "\"\""),
                    search.query.fts5()
                ));
                sql.push(" AND job_postings.user_id = ").bind(user_id);
                push_filter(&mut sql, &search.filter);
                sql.push(" ORDER BY score, hit_id LIMIT ").bind(limit);
                sql.push(" OFFSET ").bind(search.offset);
                sql.push(") m JOIN job_postings ON job_postings.rowid = m.hit")
                    .push(" ORDER BY m.score, m.hit_id");
                sql
            }
            Self::Tsvector => {
                let mut sql = Statement::new(&format!(
                    "SELECT {LIST_COLUMNS} FROM job_postings WHERE user_id = "
                ));
                sql.bind(user_id);
                sql.push(" AND search_vector @@ plainto_tsquery('simple'::regconfig, ")
                    .bind(search.query.plain())
                    .push(")");
                push_filter(&mut sql, &search.filter);
                sql.push(" ORDER BY ts_rank(search_vector, plainto_tsquery('simple'::regconfig, ")
                    .bind(search.query.plain())
                    .push(")) DESC, id LIMIT ")
                    .bind(limit);
                sql.push(" OFFSET ").bind(search.offset);
                sql
            }
        };
        sql.fetch_all(db).await
    }
}

/// The FTS5 table (created and back-filled in one transaction, if missing
/// or of an earlier layout)
/// and its triggers.
async fn install_sqlite(pool: &Pool) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    // 0 both when the table is missing and when it has an earlier
    // layout (no owner): either way it is (re-)created and filled.
    let current: i64 = sqlx::query_scalar(SQLITE_CURRENT)
        .fetch_one(&mut *tx)
        .await?;
    if current == 0 {
        sqlx::raw_sql("DROP TABLE IF EXISTS job_postings_fts")
            .execute(&mut *tx)
            .await?;
        for name in SQLITE_TRIGGER_NAMES {
            sqlx::raw_sql(&format!("DROP TRIGGER IF EXISTS {name}"))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::raw_sql(SQLITE_TABLE)
            .execute(&mut *tx)
            .await
            .map_err(|error| match error {
                sqlx::Error::Database(db) if db.message().contains("no such module") => {
                    anyhow::anyhow!(
                        "this SQLite library was built without FTS5, which search needs: \
                         use sqlx's bundled SQLite or one compiled with SQLITE_ENABLE_FTS5"
                    )
                }
                other => anyhow::Error::new(other).context("creating the search index"),
            })?;
        sqlx::raw_sql(SQLITE_BACKFILL)
            .execute(&mut *tx)
            .await
            .context("filling the search index")?;
    }
    for trigger in SQLITE_TRIGGERS {
        sqlx::raw_sql(trigger)
            .execute(&mut *tx)
            .await
            .context("creating the search index's triggers")?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether both the column and its index exist, by the catalog: `ALTER
/// TABLE ... IF NOT EXISTS` would take an exclusive lock on the table at
/// every start just to find out.
const POSTGRES_INSTALLED: &str = "SELECT \
    (SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() \
     AND table_name = 'job_postings' AND column_name = 'search_vector') + \
    (SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() \
     AND indexname = 'job_postings_search')";

/// The generated column and its GIN index, under an advisory lock.
async fn install_postgres(pool: &Pool) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(POSTGRES_LOCK)
        .execute(&mut *tx)
        .await?;
    let installed: i64 = sqlx::query_scalar(POSTGRES_INSTALLED)
        .fetch_one(&mut *tx)
        .await?;
    if installed == 2 {
        return Ok(());
    }
    for statement in [POSTGRES_COLUMN, POSTGRES_INDEX] {
        sqlx::raw_sql(statement)
            .execute(&mut *tx)
            .await
            .context("creating the search index")?;
    }
    tx.commit().await?;
    Ok(())
}
