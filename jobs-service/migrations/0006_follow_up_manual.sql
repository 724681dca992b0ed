-- A follow-up date the user set (docs/tracking-model.md, "Follow-ups"): while
-- follow_up_manual is 1, deriving a history leaves follow_up_at alone;
-- clearing the date through an update mask sets the flag back to 0 and the
-- rules decide again. Existing dates all came from the rules.

ALTER TABLE job_postings ADD COLUMN follow_up_manual BIGINT NOT NULL DEFAULT 0;
ALTER TABLE opportunities ADD COLUMN follow_up_manual BIGINT NOT NULL DEFAULT 0;
