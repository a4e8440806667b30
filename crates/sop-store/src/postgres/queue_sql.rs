//! SQL for `on_limit = "queue"`: the oldest queued run of an SOP, the next to get a place.

use super::conn::Conn;
use super::run_sql::{RUN_COLS, decode};
use crate::error::Result;
use crate::records::Run;

/// The oldest `queued` run of `sop_name`, by creation time then id, locked until commit. A row
/// another transaction holds (a `sop cancel` of that run) is skipped, not waited for: that
/// transaction may be waiting for a lock this one holds.
pub fn next_queued(conn: &mut Conn, sop_name: &str) -> Result<Option<Run>> {
    let sql = format!(
        "SELECT {RUN_COLS} FROM runs WHERE sop_name = $1 AND status = 'queued' \
         ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
    );
    conn.query_opt(&sql, &[&sop_name])?
        .map(|row| decode(&row))
        .transpose()
}
