-- The deadline timer reads the soonest deadlines of active runs each time it wakes, which is
-- whenever a run lets go of its thread. Version 9's index held every run that ever had a
-- deadline, finished ones too, and the planner chose the status index instead: either way each
-- wake read every active run (a thousand runs waiting on manual steps: a thousand rows) or every
-- finished one. This index holds only what the timer reads; its condition is the query's, word
-- for word (`deadline_sql.rs`), so that SQLite sees that it applies.
DROP INDEX IF EXISTS runs_by_deadline;
CREATE INDEX runs_active_by_deadline ON runs (deadline, id)
    WHERE deadline IS NOT NULL AND status IN ('pending', 'awaiting_approval', 'running', 'waiting', 'paused');
