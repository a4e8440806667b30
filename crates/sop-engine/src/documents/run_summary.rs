//! The short forms of runs: one line of a list, and what is left of a pruned run.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sop_core::gate::ResolvedMode;
use sop_core::run::RunStatus;
use sop_store::{Run, RunSummary, StepRun};

/// A run in a list (`sop status --json`, `GET /api/runs`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RunSummaryDocument {
    pub id: String,
    pub sop: String,
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
    pub duration_ms: Option<i64>,
    pub forced: bool,
}

impl RunSummaryDocument {
    pub fn new(r: &RunSummary, now: DateTime<Utc>) -> Self {
        RunSummaryDocument {
            id: r.id.clone(),
            sop: r.sop_name.clone(),
            sop_name: r.sop_name.clone(),
            status: r.status,
            reason: r.reason.clone(),
            current_step: r.current_step,
            step_count: r.step_count,
            trigger_type: r.trigger_type.clone(),
            started_by: r.started_by.clone(),
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            duration_ms: r.duration_ms(now),
            forced: r.forced,
        }
    }
}

/// A pruned run: its definition, variables and step details are gone.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PrunedRunDocument {
    pub id: String,
    pub sop: String,
    pub sop_name: String,
    pub definition_hash: String,
    pub execution_mode: ResolvedMode,
    pub status: RunStatus,
    pub reason: Option<String>,
    pub current_step: Option<u32>,
    pub step_count: u32,
    pub trigger_type: String,
    pub trigger_detail: Value,
    pub started_by: String,
    pub variables: Value,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    pub workdir: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    pub version: u64,
    pub forced: bool,
    pub pruned_at: Option<DateTime<Utc>>,
    pub steps: Vec<StepRun>,
}

impl PrunedRunDocument {
    pub fn new(run: &Run, steps: &[StepRun], now: DateTime<Utc>) -> Self {
        PrunedRunDocument {
            id: run.id.clone(),
            sop: run.sop_name.clone(),
            sop_name: run.sop_name.clone(),
            definition_hash: run.definition_hash.clone(),
            execution_mode: run.execution_mode,
            status: run.status,
            reason: run.reason.clone(),
            current_step: run.current_step,
            step_count: run.step_count,
            trigger_type: run.trigger_type.clone(),
            trigger_detail: run.trigger_detail.clone(),
            started_by: run.started_by.clone(),
            variables: run.variables.clone(),
            created_at: run.created_at,
            started_at: run.started_at,
            finished_at: run.finished_at,
            duration_ms: super::duration_ms(run.started_at, run.finished_at, now),
            workdir: run.workdir.clone(),
            lease_owner: run.lease_owner.clone(),
            lease_expires_at: run.lease_expires_at,
            version: run.version,
            forced: run.forced,
            pruned_at: run.pruned_at,
            steps: steps.to_vec(),
        }
    }
}
