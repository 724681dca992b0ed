-- Job sites, job postings and recruiter opportunities.
-- Portable SQL: the same file runs on SQLite and PostgreSQL. Times are Unix
-- seconds (BIGINT, UTC); ids are UUIDv7 strings, so they sort by creation.
-- Every table is keyed and indexed by the owning user first: every query
-- filters by user_id, so the data can later be sharded by user.
-- Lists (technology_stack, comments, questions) are JSON text.
-- Passwords are ciphertext (see src/crypto.rs), never plaintext.

CREATE TABLE job_sites (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    site_name TEXT NOT NULL,
    site_url TEXT NOT NULL DEFAULT '',
    site_password_ciphertext TEXT NOT NULL DEFAULT '',
    rating BIGINT NOT NULL DEFAULT 1,
    resume_format TEXT NOT NULL DEFAULT '',
    github_field BIGINT NOT NULL DEFAULT 0,
    project_site_field BIGINT NOT NULL DEFAULT 0,
    last_visited_at BIGINT,
    resume_updated_at BIGINT,
    headline TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    create_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL,
    PRIMARY KEY (user_id, id)
);

CREATE TABLE job_postings (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    job_site_id TEXT NOT NULL,
    company_name TEXT NOT NULL,
    posting_title TEXT NOT NULL,
    posting_status BIGINT NOT NULL,
    posting_url_full TEXT NOT NULL DEFAULT '',
    posting_url_domain TEXT NOT NULL DEFAULT '',
    posting_password_ciphertext TEXT NOT NULL DEFAULT '',
    pay_range TEXT NOT NULL DEFAULT '',
    location_type BIGINT NOT NULL DEFAULT 0,
    location_city TEXT NOT NULL DEFAULT '',
    employment_type BIGINT NOT NULL DEFAULT 0,
    applied_at BIGINT,
    interviewed_at BIGINT,
    rejected_at BIGINT,
    rejected_after_stage TEXT NOT NULL DEFAULT '',
    job_scan_info TEXT NOT NULL DEFAULT '',
    outreach_info TEXT NOT NULL DEFAULT '',
    time_spent BIGINT,
    technology_string TEXT NOT NULL DEFAULT '',
    technology_stack TEXT NOT NULL DEFAULT '[]',
    comments TEXT NOT NULL DEFAULT '[]',
    posting_application_questions TEXT NOT NULL DEFAULT '[]',
    job_description TEXT NOT NULL DEFAULT '',
    create_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, job_site_id) REFERENCES job_sites (user_id, id) ON DELETE CASCADE
);
-- Lists by site, by status and by application date; reports by applied_at.
CREATE INDEX job_postings_site ON job_postings (user_id, job_site_id, id);
CREATE INDEX job_postings_status ON job_postings (user_id, posting_status, id);
CREATE INDEX job_postings_applied ON job_postings (user_id, applied_at);

CREATE TABLE opportunities (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    job_title TEXT NOT NULL,
    opportunity_status BIGINT NOT NULL,
    recruiter_name TEXT NOT NULL DEFAULT '',
    recruiter_company TEXT NOT NULL DEFAULT '',
    email_received_at BIGINT,
    employment_type BIGINT NOT NULL DEFAULT 0,
    job_duration TEXT NOT NULL DEFAULT '',
    location_type BIGINT NOT NULL DEFAULT 0,
    location_city TEXT NOT NULL DEFAULT '',
    comments TEXT NOT NULL DEFAULT '[]',
    job_description TEXT NOT NULL DEFAULT '',
    create_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL,
    PRIMARY KEY (user_id, id)
);
CREATE INDEX opportunities_status ON opportunities (user_id, opportunity_status, id);
