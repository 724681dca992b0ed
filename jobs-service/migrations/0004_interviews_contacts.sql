-- Interviews and contacts (docs/tracking-model.md).
--
-- interviews: the two-parent shape of stage_events (exactly one of
-- job_posting_id / opportunity_id; a NULL column of a composite foreign key
-- is not checked, so each row is checked against its own parent only).
-- scheduled_at is a UTC instant (Unix seconds); time_zone the IANA zone it
-- is shown in. Kinds and outcomes are the protobuf numbers of
-- jobsearch.jobs.v1.InterviewKind / InterviewOutcome.

CREATE TABLE interviews (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    job_posting_id TEXT,
    opportunity_id TEXT,
    round BIGINT NOT NULL,
    kind BIGINT NOT NULL,
    scheduled_at BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    meeting_url TEXT NOT NULL DEFAULT '',
    prep_notes TEXT NOT NULL DEFAULT '',
    outcome BIGINT NOT NULL,
    create_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, job_posting_id) REFERENCES job_postings (user_id, id) ON DELETE CASCADE,
    FOREIGN KEY (user_id, opportunity_id) REFERENCES opportunities (user_id, id) ON DELETE CASCADE,
    CHECK ((job_posting_id IS NULL) <> (opportunity_id IS NULL))
);
-- A parent's interviews in time order; also serves the cascades.
CREATE INDEX interviews_posting ON interviews (user_id, job_posting_id, scheduled_at, id);
CREATE INDEX interviews_opportunity ON interviews (user_id, opportunity_id, scheduled_at, id);
-- Upcoming interviews and the calendar export, across parents.
CREATE INDEX interviews_scheduled ON interviews (user_id, scheduled_at, id);

-- People: recruiters, interviewers, referrers. links is a JSON list of URLs.
CREATE TABLE contacts (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    company TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    links TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    create_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL,
    PRIMARY KEY (user_id, id)
);
-- Only the target of opportunities.recruiter_contact_id below: ids are
-- UUIDv7 strings made by the service, so this holds anyway.
CREATE UNIQUE INDEX contacts_id ON contacts (id);

-- A contact's part in a posting, an opportunity or an interview, with a role
-- (protobuf numbers of jobsearch.jobs.v1.ContactRole). Exactly one target
-- is set. Each unique index below only ever compares rows of its own target
-- (NULLs are distinct on both backends), makes a link unique per (target,
-- contact, role), and serves the target's listing and its cascade.
CREATE TABLE contact_links (
    user_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    job_posting_id TEXT,
    opportunity_id TEXT,
    interview_id TEXT,
    role BIGINT NOT NULL,
    create_time BIGINT NOT NULL,
    FOREIGN KEY (user_id, contact_id) REFERENCES contacts (user_id, id) ON DELETE CASCADE,
    FOREIGN KEY (user_id, job_posting_id) REFERENCES job_postings (user_id, id) ON DELETE CASCADE,
    FOREIGN KEY (user_id, opportunity_id) REFERENCES opportunities (user_id, id) ON DELETE CASCADE,
    FOREIGN KEY (user_id, interview_id) REFERENCES interviews (user_id, id) ON DELETE CASCADE,
    CHECK (
        (CASE WHEN job_posting_id IS NULL THEN 0 ELSE 1 END)
        + (CASE WHEN opportunity_id IS NULL THEN 0 ELSE 1 END)
        + (CASE WHEN interview_id IS NULL THEN 0 ELSE 1 END) = 1
    )
);
CREATE UNIQUE INDEX contact_links_posting ON contact_links (user_id, job_posting_id, contact_id, role);
CREATE UNIQUE INDEX contact_links_opportunity ON contact_links (user_id, opportunity_id, contact_id, role);
CREATE UNIQUE INDEX contact_links_interview ON contact_links (user_id, interview_id, contact_id, role);
-- A contact's links: the limit count and the cascade from contacts.
CREATE INDEX contact_links_contact ON contact_links (user_id, contact_id);

-- The opportunity's recruiter as a contact. A composite key cannot be used
-- here: SQLite's ALTER TABLE adds no table constraints, and ON DELETE SET
-- NULL over (user_id, recruiter_contact_id) would null user_id too. So the
-- column references the contact's globally unique id, the database clears it
-- when the contact goes, and the service checks in the writing transaction
-- that the contact is the caller's.
ALTER TABLE opportunities ADD COLUMN recruiter_contact_id TEXT
    REFERENCES contacts (id) ON DELETE SET NULL;
