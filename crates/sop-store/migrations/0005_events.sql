-- Schema version 5: what became of each received event, and when a gate's reminder is due.
-- Version 4 belongs to another change; the runner applies every known version that a database
-- lacks, in order, so the two land in either order.

-- One row per (event, SOP, trigger) the event matched: `outcome` is `started` (with the run;
-- the run may have been recorded `skipped` by the SOP's own conditions: see `run_id`),
-- `skipped` (the trigger's condition did not hold), `cooldown` (`run_id` is the run whose
-- start began the cooldown) or `refused` (the start failed; `reason` says why).
CREATE TABLE event_outcomes (
    event_id       INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    sop            TEXT NOT NULL,
    trigger_index  INTEGER NOT NULL,
    outcome        TEXT NOT NULL,
    run_id         TEXT,
    reason         TEXT,
    decided_at     TEXT NOT NULL,
    PRIMARY KEY (event_id, sop, trigger_index)
);
-- The newest start per SOP and trigger, for cooldowns.
CREATE INDEX event_outcomes_starts ON event_outcomes (sop, trigger_index, decided_at)
    WHERE outcome = 'started';

-- When a notifier should remind the approvers of an open gate (`SOP_APPROVAL_REMINDER` before
-- its deadline); NULL when the gate has no deadline or the reminder would come at its opening.
ALTER TABLE gates ADD COLUMN remind_at TEXT;
