//! SQL for the server's deadline timer: the soonest deadlines of active runs.

use super::codec::RowExt;
use super::conn::Conn;
use super::run_sql::status_list;
use crate::error::Result;
use crate::records::RunDeadline;

pub fn soonest(conn: &mut Conn, limit: u32) -> Result<Vec<RunDeadline>> {
    let active = status_list(|s| s.is_active());
    let sql = format!(
        "SELECT id, status, deadline, lease_owner, lease_expires_at FROM runs \
         WHERE deadline IS NOT NULL AND status IN ({active}) \
         ORDER BY deadline, id LIMIT $1"
    );
    conn.query(&sql, &[&i64::from(limit)])?
        .iter()
        .map(|row| {
            Ok(RunDeadline {
                id: row.text(0)?,
                status: row.parsed(1)?,
                deadline: row.time(2)?,
                lease_owner: row.opt_text(3)?,
                lease_expires_at: row.opt_time(4)?,
            })
        })
        .collect()
}
