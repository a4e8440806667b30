-- Schema version 3 (PostgreSQL): what the cron scheduler decided for each tick, as SQLite's
-- version 4 does. The primary key is the fire key: one decision per (SOP, trigger, scheduled
-- time), so two servers on one database never fire one tick twice.

CREATE TABLE schedule_fires (
    sop_name      TEXT COLLATE "C" NOT NULL,
    trigger_key   TEXT COLLATE "C" NOT NULL,
    scheduled_at  TIMESTAMPTZ NOT NULL,
    decision      TEXT NOT NULL,
    run_id        TEXT COLLATE "C",
    recorded_at   TIMESTAMPTZ NOT NULL,
    detail        TEXT NOT NULL,
    PRIMARY KEY (sop_name, trigger_key, scheduled_at)
);
CREATE INDEX schedule_fires_by_decision ON schedule_fires (decision, scheduled_at);
