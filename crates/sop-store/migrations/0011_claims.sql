-- Schema version 11: named claims. A duty that one process of several sharing the database
-- performs at a time (the Telegram poller: two `getUpdates` calls for one bot conflict) is
-- done by the owner of its row until `expires_at`; the owner renews it while it works, and
-- another process may take it once it lapses (its owner died) or is released.
CREATE TABLE claims (
    name        TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
