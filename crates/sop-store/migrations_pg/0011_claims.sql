-- PostgreSQL schema version 11: named claims, as SQLite's version 11: a duty one node of
-- several performs at a time (the Telegram poller), held by `owner` until `expires_at`.
CREATE TABLE claims (
    name        TEXT COLLATE "C" PRIMARY KEY,
    owner       TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
