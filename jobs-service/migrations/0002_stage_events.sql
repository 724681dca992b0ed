-- Stage history (docs/tracking-model.md): every status change of a posting
-- or an opportunity is an event; the parent's status and the posting's
-- applied_at / interviewed_at / rejected_at are derived from its events by
-- the service (domain::stage::derive) and stored on the parent.
-- Exactly one of job_posting_id / opportunity_id is set; a NULL column of a
-- composite foreign key is not checked (MATCH SIMPLE, both backends), so
-- each row is checked against its own parent only.
-- Stages are the protobuf numbers of jobsearch.jobs.v1.Stage.

CREATE TABLE stage_events (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    job_posting_id TEXT,
    opportunity_id TEXT,
    stage BIGINT NOT NULL,
    occurred_at BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    close_reason BIGINT NOT NULL DEFAULT 0,
    create_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, job_posting_id) REFERENCES job_postings (user_id, id) ON DELETE CASCADE,
    FOREIGN KEY (user_id, opportunity_id) REFERENCES opportunities (user_id, id) ON DELETE CASCADE,
    CHECK ((job_posting_id IS NULL) <> (opportunity_id IS NULL))
);
-- A parent's history in order; also serves the cascades.
CREATE INDEX stage_events_posting ON stage_events (user_id, job_posting_id, occurred_at, id);
CREATE INDEX stage_events_opportunity ON stage_events (user_id, opportunity_id, occurred_at, id);

-- Back-fill. Portable SQL cannot make UUIDv7s, so a back-filled event's id is
-- its parent's id with the version digit (the 15th character) replaced by a
-- letter per kind: valid UUIDs, unique because the parents' ids are, never
-- equal to a v7 id, and ordered applied < interview < rejected < status on
-- equal times, as the derivation breaks ties by id.

-- The stored dates become APPLIED (2), INTERVIEW (4) and REJECTED (8) events.
INSERT INTO stage_events (user_id, id, job_posting_id, stage, occurred_at, create_time, update_time)
SELECT user_id, substr(id, 1, 14) || 'b' || substr(id, 16), id, 2, applied_at, update_time, update_time
FROM job_postings WHERE applied_at IS NOT NULL;
INSERT INTO stage_events (user_id, id, job_posting_id, stage, occurred_at, create_time, update_time)
SELECT user_id, substr(id, 1, 14) || 'c' || substr(id, 16), id, 4, interviewed_at, update_time, update_time
FROM job_postings WHERE interviewed_at IS NOT NULL;
INSERT INTO stage_events (user_id, id, job_posting_id, stage, occurred_at, create_time, update_time)
SELECT user_id, substr(id, 1, 14) || 'd' || substr(id, 16), id, 8, rejected_at, update_time, update_time
FROM job_postings WHERE rejected_at IS NOT NULL;

-- Then the status, as an event of its stage at the latest of update_time and
-- the dates, unless the history already gives it: the last dated event's
-- status (REJECTED 4, INTERVIEW -> ACTIVELY_ENGAGED 2, APPLIED ->
-- AWAITING_FEEDBACK 3), or OPEN (1) for a history without events.
INSERT INTO stage_events (user_id, id, job_posting_id, stage, occurred_at, create_time, update_time)
SELECT p.user_id, substr(p.id, 1, 14) || 'e' || substr(p.id, 16), p.id,
    CASE p.posting_status
        WHEN 1 THEN 1 WHEN 2 THEN 3 WHEN 3 THEN 5 WHEN 4 THEN 8
        WHEN 5 THEN 9 WHEN 6 THEN 6 WHEN 7 THEN 10 WHEN 8 THEN 7 ELSE 1
    END,
    -- The latest of update_time and the dates (NULLs never win; portable SQL
    -- has neither GREATEST nor a multi-argument MAX).
    CASE
        WHEN p.rejected_at >= COALESCE(p.interviewed_at, p.rejected_at)
            AND p.rejected_at >= COALESCE(p.applied_at, p.rejected_at)
            AND p.rejected_at >= p.update_time THEN p.rejected_at
        WHEN p.interviewed_at >= COALESCE(p.applied_at, p.interviewed_at)
            AND p.interviewed_at >= p.update_time THEN p.interviewed_at
        WHEN p.applied_at >= p.update_time THEN p.applied_at
        ELSE p.update_time
    END,
    p.update_time, p.update_time
FROM job_postings p
WHERE p.posting_status <> (CASE
    WHEN p.rejected_at IS NOT NULL
        AND p.rejected_at >= COALESCE(p.interviewed_at, p.rejected_at)
        AND p.rejected_at >= COALESCE(p.applied_at, p.rejected_at) THEN 4
    WHEN p.interviewed_at IS NOT NULL
        AND p.interviewed_at >= COALESCE(p.applied_at, p.interviewed_at) THEN 2
    WHEN p.applied_at IS NOT NULL THEN 3
    ELSE 1
END);

-- A rejection without a date now has one: when its event says (the seed left
-- it unset; the derivation takes the first REJECTED event's time).
UPDATE job_postings SET rejected_at = (
    SELECT MIN(e.occurred_at) FROM stage_events e
    WHERE e.user_id = job_postings.user_id AND e.job_posting_id = job_postings.id AND e.stage = 8
)
WHERE posting_status = 4 AND rejected_at IS NULL;

-- Each opportunity not NEW (an empty history reads NEW): one event of its
-- status's stage.
INSERT INTO stage_events (user_id, id, opportunity_id, stage, occurred_at, create_time, update_time)
SELECT user_id, substr(id, 1, 14) || 'e' || substr(id, 16), id,
    CASE opportunity_status
        WHEN 1 THEN 1 WHEN 2 THEN 3 WHEN 3 THEN 5 WHEN 4 THEN 8
        WHEN 5 THEN 9 WHEN 6 THEN 10 WHEN 7 THEN 6 WHEN 8 THEN 7 ELSE 1
    END,
    update_time, update_time, update_time
FROM opportunities
WHERE opportunity_status <> 1;
