-- PostgreSQL schema version 9: a run's `timeout`, the instant it fails with reason `timeout`,
-- fixed when it starts executing. The index serves the server's deadline timer.
ALTER TABLE runs ADD COLUMN deadline TIMESTAMPTZ;
CREATE INDEX runs_by_deadline ON runs (deadline) WHERE deadline IS NOT NULL;
