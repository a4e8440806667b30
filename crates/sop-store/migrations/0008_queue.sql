-- Schema version 8: `on_limit = "queue"`. A run recorded beyond its SOP's `concurrency` waits
-- as `queued` (a status value; the column is free text) and becomes `pending` when a place
-- frees. `conditions_due` says its conditions are evaluated again before it starts.
ALTER TABLE runs ADD COLUMN conditions_due INTEGER NOT NULL DEFAULT 0;
-- The oldest queued run of an SOP, found when a place frees.
CREATE INDEX runs_queued_by_sop ON runs (sop_name, created_at, id) WHERE status = 'queued';
