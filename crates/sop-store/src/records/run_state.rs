//! What an update of a run can change, as stored after it: [`crate::Tx::update_run_state`]
//! returns it instead of the whole run, so a step's transition does not read back (and its
//! caller does not decode) the definition, the trigger and the variables it left alone.

use super::run::Run;
use chrono::{DateTime, Utc};
use sop_core::run::RunStatus;

/// The columns of a run an update or a lease change can write.
#[derive(Debug, Clone, PartialEq)]
pub struct RunState {
    pub status: RunStatus,
    pub reason: Option<String>,
    pub current_step: Option<u32>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub workdir: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    pub version: u64,
    pub forced: bool,
    pub pruned_at: Option<DateTime<Utc>>,
    pub deadline: Option<DateTime<Utc>>,
    pub conditions_due: bool,
    /// The variables, when the update wrote them.
    pub variables: Option<serde_json::Value>,
}

impl Run {
    /// Brings the run up to date with an update of it.
    pub fn apply_state(&mut self, state: RunState) {
        self.status = state.status;
        self.reason = state.reason;
        self.current_step = state.current_step;
        self.started_at = state.started_at;
        self.finished_at = state.finished_at;
        self.workdir = state.workdir;
        self.lease_owner = state.lease_owner;
        self.lease_expires_at = state.lease_expires_at;
        self.version = state.version;
        self.forced = state.forced;
        self.pruned_at = state.pruned_at;
        self.deadline = state.deadline;
        self.conditions_due = state.conditions_due;
        if let Some(variables) = state.variables {
            self.variables = variables;
        }
    }
}
