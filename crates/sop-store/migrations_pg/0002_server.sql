-- Schema version 2 (PostgreSQL): what `sop serve` keeps, as SQLite's version 3 does: API
-- tokens (hashes only), the heartbeats of live servers, and webhook deliveries seen recently.

CREATE TABLE api_tokens (
    id            TEXT COLLATE "C" PRIMARY KEY,
    hash          TEXT COLLATE "C" NOT NULL UNIQUE,
    "user"        TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    created_by    TEXT NOT NULL,
    expires_at    TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    last_used_at  TIMESTAMPTZ
);

CREATE TABLE servers (
    id            TEXT COLLATE "C" PRIMARY KEY,
    host          TEXT NOT NULL,
    pid           BIGINT NOT NULL,
    listen        TEXT NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    heartbeat_at  TIMESTAMPTZ NOT NULL,
    stopped_at    TIMESTAMPTZ
);
CREATE INDEX servers_by_heartbeat ON servers (heartbeat_at);

CREATE TABLE deliveries (
    key          TEXT COLLATE "C" PRIMARY KEY,
    run_id       TEXT COLLATE "C" NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX deliveries_by_received ON deliveries (received_at);
