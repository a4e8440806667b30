-- A run's `timeout`: the instant it fails with reason `timeout`, fixed when it starts
-- executing. The index serves the server's deadline timer (the soonest deadlines of active
-- runs).
ALTER TABLE runs ADD COLUMN deadline TEXT;
CREATE INDEX runs_by_deadline ON runs (deadline) WHERE deadline IS NOT NULL;
