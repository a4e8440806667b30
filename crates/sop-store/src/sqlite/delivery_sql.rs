//! SQL for delivery keys: the run a key's first delivery started, within a time window.

use super::codec::{RowExt, ts};
use crate::error::Result;
use crate::records::Delivery;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

/// The delivery recorded under `key` at or after `since`.
pub fn get(conn: &Connection, key: &str, since: DateTime<Utc>) -> Result<Option<Delivery>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, run_id, received_at FROM deliveries WHERE key = ?1 AND received_at >= ?2",
    )?;
    let mut rows = stmt.query(params![key, ts(since)])?;
    rows.next()?
        .map(|row| {
            Ok(Delivery {
                key: row.text(0)?,
                run_id: row.text(1)?,
                received_at: row.time(2)?,
            })
        })
        .transpose()
}

/// Records `d`, replacing an older delivery of the same key.
pub fn put(conn: &Connection, d: &Delivery) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO deliveries (key, run_id, received_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (key) DO UPDATE SET run_id = excluded.run_id, \
         received_at = excluded.received_at",
    )?
    .execute(params![d.key, d.run_id, ts(d.received_at)])?;
    Ok(())
}

pub fn forget(conn: &Connection, before: DateTime<Utc>) -> Result<u64> {
    let n = conn
        .prepare_cached("DELETE FROM deliveries WHERE received_at < ?1")?
        .execute([ts(before)])?;
    Ok(n as u64)
}
