-- Schema version 6: the notification outbox. A row is written in the transaction that changes
-- what it announces (a gate opened, a run failed); a sender outside the run delivers it and
-- records every attempt. Versions 4 and 5 belong to other changes; the runner applies every
-- known version a database lacks, so they land in either order.

CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event        TEXT NOT NULL,
    channel      TEXT NOT NULL,
    run_id       TEXT,
    gate_id      TEXT,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    sent_at      TEXT,
    failed_at    TEXT,
    message_ref  TEXT
);
-- What the sender reads: unsent, not given up, by due time.
CREATE INDEX notifications_due ON notifications (due_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX notifications_by_run ON notifications (run_id);

CREATE TABLE notification_attempts (
    notification_id  INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    at               TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    error            TEXT,
    message_ref      TEXT,
    next_at          TEXT
);
CREATE INDEX notification_attempts_by_notification ON notification_attempts (notification_id);
