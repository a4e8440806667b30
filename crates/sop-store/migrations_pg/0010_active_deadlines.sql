-- PostgreSQL schema version 10: the deadline timer's index holds only active runs with a
-- deadline (as SQLite's version 10), not every run that ever had one.
DROP INDEX IF EXISTS runs_by_deadline;
CREATE INDEX runs_active_by_deadline ON runs (deadline, id)
    WHERE deadline IS NOT NULL AND status IN ('pending', 'awaiting_approval', 'running', 'waiting', 'paused');
