-- Schema version 4: what became of each received event, and when a gate's reminder is due.
-- Version 3 belongs to another change; the runner applies every known version that a database
-- lacks, in order, so the two land in either order. See migrations/0005_events.sql.

CREATE TABLE event_outcomes (
    event_id       BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    sop            TEXT COLLATE "C" NOT NULL,
    trigger_index  BIGINT NOT NULL,
    outcome        TEXT NOT NULL,
    run_id         TEXT COLLATE "C",
    reason         TEXT,
    decided_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (event_id, sop, trigger_index)
);
CREATE INDEX event_outcomes_starts ON event_outcomes (sop, trigger_index, decided_at)
    WHERE outcome = 'started';

ALTER TABLE gates ADD COLUMN remind_at TIMESTAMPTZ;
