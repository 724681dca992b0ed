-- The revocation feed: every revocation as an ordered event, written in the
-- same transaction as the change that causes it, kept until no access token
-- it covers can still be valid (expires_at), then purged.

-- One counter row. Taking the next number updates this row, so revoking
-- transactions serialise on it until they commit: sequence numbers become
-- visible in order, and a reader that has seen N has seen everything below N.
CREATE TABLE revocation_counter (
    id BIGINT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);
INSERT INTO revocation_counter (id, last_seq) VALUES (1, 0);

CREATE TABLE revocation_events (
    seq BIGINT PRIMARY KEY,
    -- Set for a session revocation; NULL for a whole-user revocation.
    session_id TEXT,
    user_id TEXT NOT NULL,
    -- Set for a whole-user revocation: tokens issued at or before it are revoked.
    issued_before BIGINT,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX revocation_events_expires_at ON revocation_events (expires_at);
