//! The short forms of runs: one line of a list, and what is left of a pruned run.

use super::RunFields;
use chrono::{DateTime, Utc};
use serde::Serialize;
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
    #[serde(flatten)]
    pub run: RunFields,
    pub steps: Vec<StepRun>,
}

impl PrunedRunDocument {
    pub fn new(run: &Run, steps: &[StepRun], now: DateTime<Utc>) -> Self {
        PrunedRunDocument {
            run: RunFields::new(run, run.variables.clone(), now),
            steps: steps.to_vec(),
        }
    }
}
