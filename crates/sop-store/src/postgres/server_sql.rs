//! SQL for server heartbeats: one row per server process, refreshed while it lives.

use super::codec::RowExt;
use super::conn::Conn;
use crate::error::Result;
use crate::records::ServerBeat;
use chrono::{DateTime, Utc};
use postgres::Row;

const COLS: &str = "id, host, pid, listen, started_at, heartbeat_at, stopped_at";

fn decode(row: &Row) -> Result<ServerBeat> {
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

pub fn beat(conn: &mut Conn, b: &ServerBeat) -> Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO servers ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, \
             listen = excluded.listen, stopped_at = excluded.stopped_at"
        ),
        &[
            &b.id,
            &b.host,
            &i64::from(b.pid),
            &b.listen,
            &b.started_at,
            &b.heartbeat_at,
            &b.stopped_at,
        ],
    )?;
    Ok(())
}

/// Servers not stopped whose last heartbeat is at or after `since`.
pub fn live(conn: &mut Conn, since: DateTime<Utc>) -> Result<Vec<ServerBeat>> {
    let sql = format!(
        "SELECT {COLS} FROM servers WHERE stopped_at IS NULL AND heartbeat_at >= $1 \
         ORDER BY started_at, id"
    );
    conn.query(&sql, &[&since])?.iter().map(decode).collect()
}

/// Removes the rows of servers whose last heartbeat is before `before` (stopped or dead).
pub fn forget(conn: &mut Conn, before: DateTime<Utc>) -> Result<u64> {
    conn.execute("DELETE FROM servers WHERE heartbeat_at < $1", &[&before])
}
