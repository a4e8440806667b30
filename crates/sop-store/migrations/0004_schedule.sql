-- Schema version 4: what the cron scheduler decided for each tick of each cron trigger. The
-- primary key is the fire key: one decision per (SOP, trigger, scheduled time), so two servers
-- on one database, or a server restarted, never fire one tick twice.

-- `trigger_key` names the trigger by its expression and zone (`0 2 * * * Europe/Berlin`);
-- `decision` is fired, caught_up, skipped_overlap, queued or missed; `run_id` is the run the
-- tick started (or, when skipped, the run that was still active).
CREATE TABLE schedule_fires (
    sop_name      TEXT NOT NULL,
    trigger_key   TEXT NOT NULL,
    scheduled_at  TEXT NOT NULL,
    decision      TEXT NOT NULL,
    run_id        TEXT,
    recorded_at   TEXT NOT NULL,
    detail        TEXT NOT NULL,
    PRIMARY KEY (sop_name, trigger_key, scheduled_at)
);
CREATE INDEX schedule_fires_by_decision ON schedule_fires (decision, scheduled_at);
