-- GetAnalytics groups a user's whole stage history by parent and reads each
-- event's stage and time (db/analytics.rs, the `apps` expression). Through
-- stage_events_posting it read every event's row and sorted them for the
-- GROUP BY; this index holds the columns it reads in the order it groups,
-- so it is one ordered pass over the index (issue 9's depth figures, 2,000
-- postings and 5,600 events: docs/benchmarks.md, "Tracker depth").
CREATE INDEX stage_events_parents ON stage_events (user_id, job_posting_id, opportunity_id, stage, occurred_at);
