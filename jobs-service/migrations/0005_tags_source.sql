-- Tags and sources (docs/tracking-model.md, "Tags, source, search").
--
-- `source` is how a posting or an opportunity reached the user, its Source
-- protobuf number (0: not stated). Tags are the user's own labels: one row
-- per name, shared by postings and opportunities through two link tables
-- whose composite keys only link a user's rows to that user's tags, and
-- whose rows go with either end (ON DELETE CASCADE).
--
-- `name_key` is the name folded to lower case by the service (Rust's
-- Unicode-aware `to_lowercase`): SQLite's lower() folds ASCII only and
-- PostgreSQL's depends on the database's collation, so an index on
-- lower(name) would not mean the same "ignoring case" on both backends.
--
-- Full-text search is not here: its statements differ per backend and run
-- from Rust after the migrations (src/db/search.rs).

ALTER TABLE job_postings ADD COLUMN source BIGINT NOT NULL DEFAULT 0;
ALTER TABLE opportunities ADD COLUMN source BIGINT NOT NULL DEFAULT 0;
CREATE INDEX job_postings_source ON job_postings (user_id, source, id);
CREATE INDEX opportunities_source ON opportunities (user_id, source, id);

CREATE TABLE tags (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    create_time BIGINT NOT NULL,
    PRIMARY KEY (user_id, id)
);
CREATE UNIQUE INDEX tags_name_key ON tags (user_id, name_key);

CREATE TABLE posting_tags (
    user_id TEXT NOT NULL,
    job_posting_id TEXT NOT NULL,
    tag_id TEXT NOT NULL,
    PRIMARY KEY (user_id, job_posting_id, tag_id),
    FOREIGN KEY (user_id, job_posting_id) REFERENCES job_postings (user_id, id) ON DELETE CASCADE,
    FOREIGN KEY (user_id, tag_id) REFERENCES tags (user_id, id) ON DELETE CASCADE
);
-- The tag filter and the counts read from the tag's side.
CREATE INDEX posting_tags_tag ON posting_tags (user_id, tag_id, job_posting_id);

CREATE TABLE opportunity_tags (
    user_id TEXT NOT NULL,
    opportunity_id TEXT NOT NULL,
    tag_id TEXT NOT NULL,
    PRIMARY KEY (user_id, opportunity_id, tag_id),
    FOREIGN KEY (user_id, opportunity_id) REFERENCES opportunities (user_id, id) ON DELETE CASCADE,
    FOREIGN KEY (user_id, tag_id) REFERENCES tags (user_id, id) ON DELETE CASCADE
);
CREATE INDEX opportunity_tags_tag ON opportunity_tags (user_id, tag_id, opportunity_id);
