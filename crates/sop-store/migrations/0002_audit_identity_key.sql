-- Schema version 2: who wrote each audit entry, how its hash was made, and the chain's key.
--
-- Entries written before this version keep `format` 1 (SHA-256 without identity), so they stay
-- verifiable as they were hashed. New entries record the operating-system user and host beside
-- the actor (NULL when unknown) and are hashed with them.

ALTER TABLE audit ADD COLUMN os_user TEXT;
ALTER TABLE audit ADD COLUMN host TEXT;
-- 1: SHA-256 of the version-1 fields; 2: SHA-256 with os_user and host; 3: HMAC-SHA256 of those.
ALTER TABLE audit ADD COLUMN format INTEGER NOT NULL DEFAULT 1;

-- The head's time, so an append earlier than the newest entry is refused without a lookup.
ALTER TABLE audit_head ADD COLUMN at TEXT;
UPDATE audit_head SET at = (SELECT at FROM audit WHERE audit.seq = audit_head.seq);

-- From which entry on the chain is keyed, and by which key (an HMAC of a fixed text, never the
-- key). Verification without the key uses it to say which entries it could not check.
CREATE TABLE audit_key (
    from_seq  INTEGER PRIMARY KEY,
    key_id    TEXT NOT NULL
);
