//! SQL for what a server watches: how many runs each SOP has in each status, and the runs it
//! may have to drive: `pending` ones, and unfinished ones that hold a
//! lease (whose owner may be gone) or run with none, oldest first. Whether a lease lapsed is
//! the engine's call: an owner that died on this host lapses before its time.

use super::codec::{RowExt, ts};
use super::run_sql::status_list;
use crate::error::Result;
use crate::records::PickupCandidate;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

pub fn candidates(conn: &Connection, limit: u32) -> Result<Vec<PickupCandidate>> {
    let active = status_list(|s| s.is_active());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, status, created_at, lease_owner, lease_expires_at FROM runs \
         WHERE status = 'pending' \
            OR (status = 'running' AND lease_owner IS NULL) \
            OR (status IN ({active}) AND lease_owner IS NOT NULL) \
         ORDER BY created_at, id LIMIT ?1"
    ))?;
    let mut rows = stmt.query([limit])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(PickupCandidate {
            id: row.text(0)?,
            status: row.parsed(1)?,
            created_at: row.time(2)?,
            lease_owner: row.opt_text(3)?,
            lease_expires_at: row.opt_time(4)?,
        });
    }
    Ok(out)
}

/// How many runs each SOP has in each status.
pub fn counts(conn: &Connection) -> Result<Vec<(String, sop_core::run::RunStatus, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sop_name, status, count(*) FROM runs GROUP BY sop_name, status \
         ORDER BY sop_name, status",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push((row.text(0)?, row.parsed(1)?, row.u64(2)?));
    }
    Ok(out)
}

/// Takes the lease of the oldest `pending` run nobody holds. SQLite's single writer already
/// keeps two claims apart.
pub fn claim(conn: &Connection, owner: &str, until: DateTime<Utc>) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "UPDATE runs SET lease_owner = ?1, lease_expires_at = ?2 WHERE id = (\
             SELECT id FROM runs WHERE status = 'pending' AND lease_owner IS NULL \
             ORDER BY created_at, id LIMIT 1) \
         RETURNING id",
    )?;
    let mut rows = stmt.query(rusqlite::params![owner, ts(until)])?;
    match rows.next()? {
        Some(row) => Ok(Some(row.text(0)?)),
        None => Ok(None),
    }
}
