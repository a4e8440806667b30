//! SQL for named claims: which process performs a duty only one of several may (the Telegram
//! poller), until when.
//!
//! Taking is one upsert whose update applies only to the owner's own row or a lapsed one, so
//! it stays correct under any isolation level, not only under SQLite's single writer.

use super::codec::ts;
use crate::error::Result;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

pub fn take(
    conn: &Connection,
    name: &str,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "INSERT INTO claims (name, owner, expires_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, \
             expires_at = excluded.expires_at \
             WHERE claims.owner = excluded.owner OR claims.expires_at <= ?4",
        )?
        .execute(params![name, owner, ts(until), ts(now)])?;
    Ok(changed == 1)
}

pub fn release(conn: &Connection, name: &str, owner: &str) -> Result<bool> {
    let changed = conn
        .prepare_cached("DELETE FROM claims WHERE name = ?1 AND owner = ?2")?
        .execute(params![name, owner])?;
    Ok(changed == 1)
}
