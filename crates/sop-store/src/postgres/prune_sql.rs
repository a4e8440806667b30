//! SQL for `prune`: drops finished runs' details, keeps their summaries and the whole audit chain.

use super::conn::Conn;
use super::run_sql::status_list;
use crate::error::Result;
use crate::records::PruneReport;
use chrono::{DateTime, Utc};
use sop_core::run::RunStatus;

pub fn prune(
    conn: &mut Conn,
    older_than: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<PruneReport> {
    let prunable = format!(
        "SELECT id FROM runs WHERE pruned_at IS NULL AND status IN ({}) \
         AND COALESCE(finished_at, created_at) < $1",
        status_list(RunStatus::is_terminal)
    );
    let steps = conn.execute(
        &format!(
            "UPDATE steps SET output_tail = NULL, outputs = '{{}}' WHERE run_id IN ({prunable})"
        ),
        &[&older_than],
    )?;
    let tokens = conn.execute(
        &format!(
            "DELETE FROM approval_tokens WHERE gate_id IN \
             (SELECT id FROM gates WHERE run_id IN ({prunable}))"
        ),
        &[&older_than],
    )?;
    let runs = conn.execute(
        &format!(
            "UPDATE runs SET definition_snapshot = NULL, variables = 'null', \
             trigger_detail = 'null', pruned_at = $2 WHERE id IN ({prunable})"
        ),
        &[&older_than, &now],
    )?;
    let events = conn.execute("DELETE FROM events WHERE received_at < $1", &[&older_than])?;
    Ok(PruneReport {
        runs,
        steps,
        events,
        tokens,
    })
}
