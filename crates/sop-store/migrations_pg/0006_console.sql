-- Sessions of the web console: a browser signed in with an API token. Only the SHA-256 of the
-- session's cookie is kept; the CSRF token is compared with what its forms send.
CREATE TABLE console_sessions (
    hash        TEXT COLLATE "C" PRIMARY KEY,
    "user"      TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    token_id    TEXT,
    csrf        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
