//! SQL for the server's deadline timer: the soonest deadlines of active runs.

use super::codec::RowExt;
use super::run_sql::status_list;
use crate::error::Result;
use crate::records::RunDeadline;
use rusqlite::Connection;

pub fn soonest(conn: &Connection, limit: u32) -> Result<Vec<RunDeadline>> {
    let active = status_list(|s| s.is_active());
    // Times are stored in one fixed-width UTC form, so text order is time order.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, status, deadline, lease_owner, lease_expires_at FROM runs \
         WHERE deadline IS NOT NULL AND status IN ({active}) \
         ORDER BY deadline, id LIMIT ?1"
    ))?;
    let mut rows = stmt.query([limit])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(RunDeadline {
            id: row.text(0)?,
            status: row.parsed(1)?,
            deadline: row.time(2)?,
            lease_owner: row.opt_text(3)?,
            lease_expires_at: row.opt_time(4)?,
        });
    }
    Ok(out)
}
