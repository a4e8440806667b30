//! SQL for what a server watches: how many runs each SOP has in each status, and the runs it
//! may have to drive (`pending` ones, and unfinished ones that hold a lease or run with none),
//! oldest first. Whether a lease lapsed is the engine's call.

use super::codec::RowExt;
use super::conn::Conn;
use super::run_sql::status_list;
use crate::error::Result;
use crate::records::PickupCandidate;
use chrono::{DateTime, Utc};

pub fn candidates(conn: &mut Conn, limit: u32) -> Result<Vec<PickupCandidate>> {
    let active = status_list(|s| s.is_active());
    let sql = format!(
        "SELECT id, status, created_at, lease_owner, lease_expires_at FROM runs \
         WHERE status = 'pending' \
            OR (status = 'running' AND lease_owner IS NULL) \
            OR (status IN ({active}) AND lease_owner IS NOT NULL) \
         ORDER BY created_at, id LIMIT $1"
    );
    conn.query(&sql, &[&i64::from(limit)])?
        .iter()
        .map(|row| {
            Ok(PickupCandidate {
                id: row.text(0)?,
                status: row.parsed(1)?,
                created_at: row.time(2)?,
                lease_owner: row.opt_text(3)?,
                lease_expires_at: row.opt_time(4)?,
            })
        })
        .collect()
}

/// How many runs each SOP has in each status.
pub fn counts(conn: &mut Conn) -> Result<Vec<(String, sop_core::run::RunStatus, u64)>> {
    conn.query(
        "SELECT sop_name, status, count(*) FROM runs GROUP BY sop_name, status \
         ORDER BY sop_name, status",
        &[],
    )?
    .iter()
    .map(|row| Ok((row.text(0)?, row.parsed(1)?, row.u64(2)?)))
    .collect()
}

/// Takes the lease of the oldest `pending` run nobody holds. Rows another node is claiming at
/// this moment are skipped (`SKIP LOCKED`) rather than waited for, so nodes claiming together
/// each get a different run instead of queueing on the first.
pub fn claim(conn: &mut Conn, owner: &str, until: DateTime<Utc>) -> Result<Option<String>> {
    let row = conn.query_opt(
        "UPDATE runs SET lease_owner = $1, lease_expires_at = $2 WHERE id = (\
             SELECT id FROM runs WHERE status = 'pending' AND lease_owner IS NULL \
             ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
         AND lease_owner IS NULL RETURNING id",
        &[&owner, &until],
    )?;
    row.map(|r| r.text(0)).transpose()
}
