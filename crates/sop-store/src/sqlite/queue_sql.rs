//! SQL for `on_limit = "queue"`: the oldest queued run of an SOP, the next to get a place.

use super::run_sql::{RUN_COLS, decode};
use crate::error::Result;
use crate::records::Run;
use rusqlite::Connection;

/// The oldest `queued` run of `sop_name`, by creation time then id. SQLite's one writer keeps
/// it from being moved by anyone else until this transaction ends.
pub fn next_queued(conn: &Connection, sop_name: &str) -> Result<Option<Run>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RUN_COLS} FROM runs WHERE sop_name = ?1 AND status = 'queued' \
         ORDER BY created_at, id LIMIT 1"
    ))?;
    let mut rows = stmt.query([sop_name])?;
    match rows.next()? {
        Some(row) => Ok(Some(decode(row)?)),
        None => Ok(None),
    }
}
