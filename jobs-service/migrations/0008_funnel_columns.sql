-- What GetAnalytics reads of each application, kept on the posting or
-- opportunity by the same derivation that keeps its status and dates
-- (domain/stage.rs, `derive`), so an analytics call reads one row per
-- application instead of grouping the whole stage history on every call
-- (issue 9's depth target: docs/benchmarks-depth.md).
--
-- stages_reached: every stage the history holds, as bits 1 << stage number.
-- next_step_at: the first step after the earliest APPLIED (later, or at the
--   same time but another stage).
-- opportunities.applied_at: the earliest APPLIED, as postings already have.

ALTER TABLE job_postings ADD COLUMN stages_reached BIGINT NOT NULL DEFAULT 0;
ALTER TABLE job_postings ADD COLUMN next_step_at BIGINT;
ALTER TABLE opportunities ADD COLUMN applied_at BIGINT;
ALTER TABLE opportunities ADD COLUMN stages_reached BIGINT NOT NULL DEFAULT 0;
ALTER TABLE opportunities ADD COLUMN next_step_at BIGINT;

-- The back-fill of what is already stored, in portable SQL; the tests run
-- these statements again over histories written through the service and
-- find nothing to change (tests/analytics_columns.rs). SUM(DISTINCT) of
-- one power of two per stage is the OR of the bits.
UPDATE job_postings SET stages_reached = COALESCE((
    SELECT CAST(SUM(DISTINCT CASE WHEN e.stage BETWEEN 1 AND 10 THEN
        CASE e.stage WHEN 1 THEN 2 WHEN 2 THEN 4 WHEN 3 THEN 8 WHEN 4 THEN 16
        WHEN 5 THEN 32 WHEN 6 THEN 64 WHEN 7 THEN 128 WHEN 8 THEN 256
        WHEN 9 THEN 512 ELSE 1024 END ELSE 0 END) AS BIGINT)
    FROM stage_events e
    WHERE e.user_id = job_postings.user_id AND e.job_posting_id = job_postings.id), 0);
UPDATE job_postings SET next_step_at = (
    SELECT MIN(x.occurred_at) FROM stage_events x
    WHERE x.user_id = job_postings.user_id AND x.job_posting_id = job_postings.id
    AND (x.occurred_at > job_postings.applied_at
        OR (x.occurred_at = job_postings.applied_at AND x.stage <> 2)));

UPDATE opportunities SET applied_at = (
    SELECT MIN(e.occurred_at) FROM stage_events e
    WHERE e.user_id = opportunities.user_id AND e.opportunity_id = opportunities.id
    AND e.stage = 2);
UPDATE opportunities SET stages_reached = COALESCE((
    SELECT CAST(SUM(DISTINCT CASE WHEN e.stage BETWEEN 1 AND 10 THEN
        CASE e.stage WHEN 1 THEN 2 WHEN 2 THEN 4 WHEN 3 THEN 8 WHEN 4 THEN 16
        WHEN 5 THEN 32 WHEN 6 THEN 64 WHEN 7 THEN 128 WHEN 8 THEN 256
        WHEN 9 THEN 512 ELSE 1024 END ELSE 0 END) AS BIGINT)
    FROM stage_events e
    WHERE e.user_id = opportunities.user_id AND e.opportunity_id = opportunities.id), 0);
UPDATE opportunities SET next_step_at = (
    SELECT MIN(x.occurred_at) FROM stage_events x
    WHERE x.user_id = opportunities.user_id AND x.opportunity_id = opportunities.id
    AND (x.occurred_at > opportunities.applied_at
        OR (x.occurred_at = opportunities.applied_at AND x.stage <> 2)));

-- One index entry per application holds every column analytics reads, in
-- window order, so a call never reads the rows themselves (where the long
-- texts sit before the columns added since). It starts with what
-- job_postings_applied held, which it replaces.
DROP INDEX job_postings_applied;
CREATE INDEX job_postings_funnel ON job_postings
    (user_id, applied_at, stages_reached, next_step_at, posting_status, time_spent, job_site_id, source);
CREATE INDEX opportunities_funnel ON opportunities
    (user_id, applied_at, stages_reached, next_step_at, opportunity_status, source);
