//! SQL for delivery keys: the run a key's first delivery started, within a time window.

use super::codec::RowExt;
use super::conn::Conn;
use crate::error::Result;
use crate::records::Delivery;
use chrono::{DateTime, Utc};

/// The delivery recorded under `key` at or after `since`.
pub fn get(conn: &mut Conn, key: &str, since: DateTime<Utc>) -> Result<Option<Delivery>> {
    conn.query_opt(
        "SELECT key, run_id, received_at FROM deliveries WHERE key = $1 AND received_at >= $2",
        &[&key, &since],
    )?
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
pub fn put(conn: &mut Conn, d: &Delivery) -> Result<()> {
    conn.execute(
        "INSERT INTO deliveries (key, run_id, received_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET run_id = excluded.run_id, \
         received_at = excluded.received_at",
        &[&d.key, &d.run_id, &d.received_at],
    )?;
    Ok(())
}

pub fn forget(conn: &mut Conn, before: DateTime<Utc>) -> Result<u64> {
    conn.execute("DELETE FROM deliveries WHERE received_at < $1", &[&before])
}
