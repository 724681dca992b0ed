-- Accounts, sessions, refresh tokens and login throttling.
-- Portable SQL: the same file runs on SQLite and PostgreSQL. Times are Unix
-- seconds (BIGINT); ids are UUIDv7 strings, so they sort by creation time.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    -- Lowercased (and NFKC-normalised) forms: uniqueness and logins ignore case.
    username_key TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    -- argon2id PHC string; never the password.
    password_hash TEXT NOT NULL,
    bio TEXT NOT NULL DEFAULT '',
    user_greeting TEXT NOT NULL DEFAULT 'Welcome!',
    color_mode TEXT NOT NULL DEFAULT 'light',
    dashboard_first_date BIGINT,
    dashboard_second_date BIGINT,
    -- Flags are BIGINT 0/1: sqlx's Any driver cannot decode SQLite booleans.
    is_staff BIGINT NOT NULL DEFAULT 0,
    is_active BIGINT NOT NULL DEFAULT 1,
    date_joined BIGINT NOT NULL,
    last_login BIGINT,
    CONSTRAINT users_username_key_unique UNIQUE (username_key),
    CONSTRAINT users_email_key_unique UNIQUE (email_key)
);

-- A session is one login; every token issued in it carries its id (sid).
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    -- Absolute end, however often the session is refreshed.
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoke_reason TEXT
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Every refresh token ever issued, by SHA-256 hash; used ones are kept until
-- they expire so that presenting one again is recognised as theft.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

-- Failed-login counters per account, in the database so that every replica
-- enforces the same limit.
CREATE TABLE login_throttle (
    account_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);
CREATE INDEX login_throttle_last_failure_at ON login_throttle (last_failure_at);
