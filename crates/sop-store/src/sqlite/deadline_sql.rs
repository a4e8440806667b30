//! SQL for the server's deadline timer: the soonest deadlines of active runs.

use super::codec::RowExt;
use super::run_sql::status_list;
use crate::error::Result;
use crate::records::RunDeadline;
use rusqlite::Connection;

/// The timer's query. Its condition is the one of the index `runs_active_by_deadline`
/// (migration 10), word for word: SQLite uses a partial index only for a query whose condition
/// contains the index's. Without statistics the planner would rather search the status index
/// (every active run, then a sort), so the index is named.
fn soonest_sql() -> String {
    let active = status_list(|s| s.is_active());
    // Times are stored in one fixed-width UTC form, so text order is time order.
    format!(
        "SELECT id, status, deadline, lease_owner, lease_expires_at FROM runs INDEXED BY runs_active_by_deadline \
         WHERE deadline IS NOT NULL AND status IN ({active}) \
         ORDER BY deadline, id LIMIT ?1"
    )
}

pub fn soonest(conn: &Connection, limit: u32) -> Result<Vec<RunDeadline>> {
    let mut stmt = conn.prepare_cached(&soonest_sql())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timer_reads_only_the_index_of_active_deadlines() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate::migrate(&mut conn, "mem").unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", soonest_sql()))
            .unwrap()
            .query_map([10], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        // One search of the index, already in order: no other run read, no sort.
        assert_eq!(
            plan,
            ["SEARCH runs USING INDEX runs_active_by_deadline (deadline>?)"]
        );
    }
}
