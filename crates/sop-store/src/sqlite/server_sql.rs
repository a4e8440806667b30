//! SQL for server heartbeats: one row per server process, refreshed while it lives.

use super::codec::{RowExt, opt_ts, ts};
use crate::error::Result;
use crate::records::ServerBeat;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

const COLS: &str = "id, host, pid, listen, started_at, heartbeat_at, stopped_at";

fn decode(row: &Row<'_>) -> Result<ServerBeat> {
    Ok(ServerBeat {
        id: row.text(0)?,
        host: row.text(1)?,
        pid: row.u32(2)?,
        listen: row.text(3)?,
        started_at: row.time(4)?,
        heartbeat_at: row.time(5)?,
        stopped_at: row.opt_time(6)?,
    })
}

pub fn beat(conn: &Connection, b: &ServerBeat) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO servers ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, \
         listen = excluded.listen, stopped_at = excluded.stopped_at"
    ))?
    .execute(params![
        b.id,
        b.host,
        b.pid,
        b.listen,
        ts(b.started_at),
        ts(b.heartbeat_at),
        opt_ts(b.stopped_at),
    ])?;
    Ok(())
}

/// Servers not stopped whose last heartbeat is at or after `since`; older rows are removed.
pub fn live(conn: &Connection, since: DateTime<Utc>) -> Result<Vec<ServerBeat>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM servers WHERE stopped_at IS NULL AND heartbeat_at >= ?1 \
         ORDER BY started_at, id"
    ))?;
    let mut rows = stmt.query([ts(since)])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// Removes the rows of servers whose last heartbeat is before `before` (stopped or dead).
pub fn forget(conn: &Connection, before: DateTime<Utc>) -> Result<u64> {
    let n = conn
        .prepare_cached("DELETE FROM servers WHERE heartbeat_at < ?1")?
        .execute([ts(before)])?;
    Ok(n as u64)
}
