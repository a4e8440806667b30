-- Schema version 5 (PostgreSQL): the notification outbox, as SQLite's version 6. Versions 3
-- and 4 belong to other changes; the runner applies every known version a database lacks.

CREATE TABLE notifications (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event        TEXT NOT NULL,
    channel      TEXT NOT NULL,
    run_id       TEXT COLLATE "C",
    gate_id      TEXT COLLATE "C",
    body         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    due_at       TIMESTAMPTZ NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    sent_at      TIMESTAMPTZ,
    failed_at    TIMESTAMPTZ,
    message_ref  TEXT
);
CREATE INDEX notifications_due ON notifications (due_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX notifications_by_run ON notifications (run_id);

CREATE TABLE notification_attempts (
    notification_id  BIGINT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    at               TIMESTAMPTZ NOT NULL,
    outcome          TEXT NOT NULL,
    error            TEXT,
    message_ref      TEXT,
    next_at          TIMESTAMPTZ
);
CREATE INDEX notification_attempts_by_notification ON notification_attempts (notification_id);
