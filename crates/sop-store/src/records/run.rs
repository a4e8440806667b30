//! A run of an SOP: what was started, by whom, from which definition, and where it stands.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sop_core::gate::ResolvedMode;
use sop_core::run::RunStatus;

/// One run, in full. Lists use the lighter [`RunSummary`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: String,
    pub sop_name: String,
    /// Hash of the definition snapshot, as computed by the loader.
    pub definition_hash: String,
    /// SOP.toml and SOP.md as they were when the run started; `None` once pruned.
    pub definition_snapshot: Option<String>,
    /// The mode the run was started in (`priority_based` already resolved), which decides its
    /// gates for good.
    pub execution_mode: ResolvedMode,
    pub status: RunStatus,
    /// Why the run is in its status, e.g. "interrupted", "conditions not met".
    pub reason: Option<String>,
    /// The step being executed or waited on (1-based); `None` before the first.
    pub current_step: Option<u32>,
    pub step_count: u32,
    /// `manual`, `cron`, `webhook`, `event`.
    pub trigger_type: String,
    /// Trigger specifics (cron expression, webhook path, event name…); `null` once pruned.
    pub trigger_detail: serde_json::Value,
    pub started_by: String,
    /// The run's variables as JSON; `null` once pruned.
    pub variables: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub workdir: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// Bumped by every [`crate::Tx::update_run`]; the compare-and-set token.
    pub version: u64,
    /// Started with `--force` (conditions unmet or no manual trigger).
    pub forced: bool,
    /// When `sop prune` removed the run's details.
    pub pruned_at: Option<DateTime<Utc>>,
    /// When the run's `timeout` passes; set when it starts executing, `None` without one.
    pub deadline: Option<DateTime<Utc>>,
    /// The run waited in the queue (`on_limit = "queue"`) and its conditions are evaluated
    /// again before it starts.
    pub conditions_due: bool,
}

/// The columns `sop status` lists; never the big ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: String,
    pub sop_name: String,
    pub status: RunStatus,
    pub reason: Option<String>,
    pub current_step: Option<u32>,
    pub step_count: u32,
    pub trigger_type: String,
    pub started_by: String,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub forced: bool,
}

impl RunSummary {
    /// Milliseconds from start to finish (or to `now` while still going); `None` before the start.
    pub fn duration_ms(&self, now: DateTime<Utc>) -> Option<i64> {
        let start = self.started_at?;
        Some((self.finished_at.unwrap_or(now) - start).num_milliseconds())
    }
}

/// What a new run is created with. The store assigns the id and version 0.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    pub sop_name: String,
    pub definition_hash: String,
    pub definition_snapshot: String,
    pub execution_mode: ResolvedMode,
    pub status: RunStatus,
    pub reason: Option<String>,
    pub trigger_type: String,
    pub trigger_detail: serde_json::Value,
    pub started_by: String,
    pub variables: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub workdir: Option<String>,
    pub forced: bool,
    /// See [`Run::conditions_due`].
    pub conditions_due: bool,
    /// The run's steps, created `pending` with the run.
    pub steps: Vec<NewStep>,
}

/// A step created with its run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStep {
    pub number: u32,
    pub title: String,
}
