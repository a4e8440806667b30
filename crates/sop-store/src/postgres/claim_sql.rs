//! SQL for named claims: which node performs a duty only one of several may (the Telegram
//! poller), until when.
//!
//! Taking is one `INSERT … ON CONFLICT DO UPDATE … WHERE`: nodes racing for a free name queue
//! on its row (or its unique index entry), and each decides on the row the one before it
//! committed, so of two takers of a free or lapsed claim exactly one gets it.

use super::conn::Conn;
use crate::error::Result;
use chrono::{DateTime, Utc};

pub fn take(
    conn: &mut Conn,
    name: &str,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool> {
    let changed = conn.execute(
        "INSERT INTO claims (name, owner, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, \
         expires_at = excluded.expires_at \
         WHERE claims.owner = excluded.owner OR claims.expires_at <= $4",
        &[&name, &owner, &until, &now],
    )?;
    Ok(changed == 1)
}

pub fn release(conn: &mut Conn, name: &str, owner: &str) -> Result<bool> {
    let changed = conn.execute(
        "DELETE FROM claims WHERE name = $1 AND owner = $2",
        &[&name, &owner],
    )?;
    Ok(changed == 1)
}
