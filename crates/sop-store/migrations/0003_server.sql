-- Schema version 3: what `sop serve` keeps: API tokens (hashes only), the heartbeats of live
-- servers, and webhook deliveries seen recently (for `Idempotency-Key`/`X-GitHub-Delivery`).
-- Version 2 belongs to another change; the runner applies every known version that a database
-- lacks, in order, so the two land in either order.

-- Only SHA-256 hashes of API tokens are stored; `id` is the public handle shown by
-- `sop token list` and used by `sop token revoke`.
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    hash          TEXT NOT NULL UNIQUE,
    user          TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    expires_at    TEXT,
    revoked_at    TEXT,
    last_used_at  TEXT
);

-- One row per server process (`id` is its lease owner name); `heartbeat_at` moves while it
-- lives, `stopped_at` is set when it shuts down cleanly.
CREATE TABLE servers (
    id            TEXT PRIMARY KEY,
    host          TEXT NOT NULL,
    pid           INTEGER NOT NULL,
    listen        TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    heartbeat_at  TEXT NOT NULL,
    stopped_at    TEXT
);
CREATE INDEX servers_by_heartbeat ON servers (heartbeat_at);

-- A delivery key (scoped by the route it arrived on) and the run its first delivery started.
CREATE TABLE deliveries (
    key          TEXT PRIMARY KEY,
    run_id       TEXT NOT NULL,
    received_at  TEXT NOT NULL
);
CREATE INDEX deliveries_by_received ON deliveries (received_at);
