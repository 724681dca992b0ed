-- Follow-ups (docs/tracking-model.md): when to chase a posting or an
-- opportunity, derived from its stage history with the stage columns (a few
-- days after its last step, if that step is APPLIED, INTERVIEW or
-- AWAITING_FEEDBACK; see JOBS_FOLLOW_UP_AFTER_*_DAYS). ListDue reads the
-- indexes below.

ALTER TABLE job_postings ADD COLUMN follow_up_at BIGINT;
ALTER TABLE opportunities ADD COLUMN follow_up_at BIGINT;
CREATE INDEX job_postings_follow_up ON job_postings (user_id, follow_up_at, id);
CREATE INDEX opportunities_follow_up ON opportunities (user_id, follow_up_at, id);

-- Back-fill with the default rules (7 days after APPLIED (2), 5 after
-- INTERVIEW (4) or AWAITING_FEEDBACK (5)), from each history's last step.
UPDATE job_postings SET follow_up_at = (
    SELECT CASE e.stage
        WHEN 2 THEN e.occurred_at + 604800
        WHEN 4 THEN e.occurred_at + 432000
        WHEN 5 THEN e.occurred_at + 432000
    END
    FROM stage_events e
    WHERE e.user_id = job_postings.user_id AND e.job_posting_id = job_postings.id
    ORDER BY e.occurred_at DESC, e.id DESC
    LIMIT 1
);
UPDATE opportunities SET follow_up_at = (
    SELECT CASE e.stage
        WHEN 2 THEN e.occurred_at + 604800
        WHEN 4 THEN e.occurred_at + 432000
        WHEN 5 THEN e.occurred_at + 432000
    END
    FROM stage_events e
    WHERE e.user_id = opportunities.user_id AND e.opportunity_id = opportunities.id
    ORDER BY e.occurred_at DESC, e.id DESC
    LIMIT 1
);
