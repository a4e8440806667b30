//! SQL for `prune`: drops finished runs' details, keeps their summaries and the whole audit chain.

use super::codec::ts;
use super::run_sql::status_list;
use crate::error::Result;
use crate::records::PruneReport;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use sop_core::run::RunStatus;

pub fn prune(
    conn: &Connection,
    older_than: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<PruneReport> {
    let cut = ts(older_than);
    let prunable = format!(
        "SELECT id FROM runs WHERE pruned_at IS NULL AND status IN ({}) \
         AND COALESCE(finished_at, created_at) < ?1",
        status_list(RunStatus::is_terminal)
    );
    let steps = conn.execute(
        &format!(
            "UPDATE steps SET output_tail = NULL, outputs = '{{}}' WHERE run_id IN ({prunable})"
        ),
        [&cut],
    )?;
    let tokens = conn.execute(
        &format!(
            "DELETE FROM approval_tokens WHERE gate_id IN \
             (SELECT id FROM gates WHERE run_id IN ({prunable}))"
        ),
        [&cut],
    )?;
    let runs = conn.execute(
        &format!(
            "UPDATE runs SET definition_snapshot = NULL, variables = 'null', \
             trigger_detail = 'null', pruned_at = ?2 WHERE id IN ({prunable})"
        ),
        params![cut, ts(now)],
    )?;
    let events = conn.execute("DELETE FROM events WHERE received_at < ?1", [&cut])?;
    Ok(PruneReport {
        runs: runs as u64,
        steps: steps as u64,
        events: events as u64,
        tokens: tokens as u64,
    })
}
