//! [`RunFields`]: what every document of one run says about the run itself, whole or pruned.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sop_core::gate::ResolvedMode;
use sop_core::run::RunStatus;
use sop_store::Run;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RunFields {
    pub id: String,
    /// The SOP's name (also as `sop_name`).
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
    /// Secret variables shown as `[redacted]`; `null` once pruned.
    pub variables: Value,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// When the run's `timeout` passes (fixed when it starts executing); `null` without one.
    /// Past it the run fails with reason `timeout`.
    pub deadline: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    pub workdir: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    pub version: u64,
    pub forced: bool,
    pub pruned_at: Option<DateTime<Utc>>,
}

impl RunFields {
    /// The fields of `run` at `now`, with its variables as they may be shown.
    pub fn new(run: &Run, variables: Value, now: DateTime<Utc>) -> Self {
        RunFields {
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
            variables,
            created_at: run.created_at,
            started_at: run.started_at,
            finished_at: run.finished_at,
            deadline: run.deadline,
            duration_ms: super::duration_ms(run.started_at, run.finished_at, now),
            workdir: run.workdir.clone(),
            lease_owner: run.lease_owner.clone(),
            lease_expires_at: run.lease_expires_at,
            version: run.version,
            forced: run.forced,
            pruned_at: run.pruned_at,
        }
    }
}
