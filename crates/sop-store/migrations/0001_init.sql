-- Schema version 1: runs, steps, gates, approval tokens, facts, events and the audit chain.
--
-- Portable on purpose: TEXT, INTEGER and BLOB columns only, timestamps as fixed-width RFC 3339
-- text in UTC (microseconds, `Z`) so they sort as text, booleans as 0/1, JSON as TEXT.
-- Large columns (snapshot, variables, output) come last in their rows so list queries that
-- do not name them never read their overflow pages.

CREATE TABLE runs (
    id                  TEXT PRIMARY KEY,
    sop_name            TEXT NOT NULL,
    definition_hash     TEXT NOT NULL,
    execution_mode      TEXT NOT NULL,
    status              TEXT NOT NULL,
    reason              TEXT,
    current_step        INTEGER,
    step_count          INTEGER NOT NULL DEFAULT 0,
    trigger_type        TEXT NOT NULL,
    started_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    started_at          TEXT,
    finished_at         TEXT,
    workdir             TEXT,
    lease_owner         TEXT,
    lease_expires_at    TEXT,
    version             INTEGER NOT NULL DEFAULT 0,
    forced              INTEGER NOT NULL DEFAULT 0,
    pruned_at           TEXT,
    trigger_detail      TEXT NOT NULL DEFAULT 'null',
    variables           TEXT NOT NULL DEFAULT 'null',
    definition_snapshot TEXT
);
CREATE INDEX runs_by_created ON runs (created_at, id);
CREATE INDEX runs_by_sop ON runs (sop_name, created_at, id);
CREATE INDEX runs_by_status ON runs (status, created_at, id);
CREATE INDEX runs_active_by_sop ON runs (sop_name, status);

CREATE TABLE steps (
    run_id         TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    number         INTEGER NOT NULL,
    title          TEXT NOT NULL,
    status         TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    exit_code      INTEGER,
    started_at     TEXT,
    finished_at    TEXT,
    duration_ms    INTEGER,
    output_size    INTEGER NOT NULL DEFAULT 0,
    output_sha256  TEXT,
    process_group  INTEGER,
    note           TEXT,
    outputs        TEXT NOT NULL DEFAULT '{}',
    output_tail    BLOB,
    PRIMARY KEY (run_id, number)
);

CREATE TABLE gates (
    id             TEXT PRIMARY KEY,
    run_id         TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step           INTEGER NOT NULL,
    opened_at      TEXT NOT NULL,
    expires_at     TEXT,
    approvers      TEXT NOT NULL DEFAULT '[]',
    min_approvals  INTEGER NOT NULL DEFAULT 1,
    on_timeout     TEXT NOT NULL DEFAULT 'expire',
    status         TEXT NOT NULL,
    decided_at     TEXT
);
CREATE INDEX gates_by_run ON gates (run_id, step);
CREATE INDEX gates_by_status ON gates (status, expires_at);

CREATE TABLE gate_decisions (
    gate_id   TEXT NOT NULL REFERENCES gates (id) ON DELETE CASCADE,
    actor     TEXT NOT NULL,
    decision  TEXT NOT NULL,
    comment   TEXT,
    at        TEXT NOT NULL,
    PRIMARY KEY (gate_id, actor)
);

-- Only SHA-256 hashes of approval tokens are stored, never a token.
CREATE TABLE approval_tokens (
    hash        TEXT PRIMARY KEY,
    gate_id     TEXT NOT NULL REFERENCES gates (id) ON DELETE CASCADE,
    approver    TEXT,
    created_at  TEXT NOT NULL,
    used_at     TEXT,
    revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX approval_tokens_by_gate ON approval_tokens (gate_id);

CREATE TABLE facts (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    expires_at  TEXT,
    set_by      TEXT NOT NULL
);

CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    source       TEXT,
    received_at  TEXT NOT NULL,
    payload      TEXT NOT NULL
);
CREATE INDEX events_by_name ON events (name, received_at);
CREATE INDEX events_by_received ON events (received_at);

-- Append-only: entries are never updated or deleted (prune keeps them).
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    run_id     TEXT,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_by_run ON audit (run_id, seq);

-- The chain's head, written with every append, so that removing the newest entries is detected
-- too (a chain alone cannot tell a truncated tail from a shorter history).
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
