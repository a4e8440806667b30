//! One event and everything recorded with it: the step's outcome, the reason, the audit detail,
//! and what the transaction does with the run's lease.

use serde_json::{Map, Value};
use sop_core::run::RunEvent;
use sop_core::step_output::Outputs;
use sop_store::StepOutput;

/// What this process does with the run's lease in the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseUse {
    /// This process holds it (it is driving the run).
    Held,
    /// Take it now: this command goes on to drive the run.
    Take,
    /// Leave it alone (`pause`, `cancel`: another process may be driving).
    Untouched,
}

/// What a finished (or given-up) step left behind, recorded with its transition.
#[derive(Debug, Clone, Default)]
pub struct StepRecord {
    pub step: u32,
    /// `succeeded`, `failed`, `timed_out`, `cancelled`, ...
    pub outcome: Option<String>,
    pub attempt: Option<u32>,
    pub exit_code: Option<i32>,
    pub duration_ms: Option<u64>,
    pub output: Option<StepOutput>,
    pub outputs: Option<Outputs>,
    /// A short reason for a failure, e.g. `exit code 3`.
    pub failure: Option<String>,
    pub note: Option<String>,
}

/// One event and everything recorded with it.
#[derive(Debug, Clone)]
pub struct Change {
    pub event: RunEvent,
    /// Added to the event's audit entry.
    pub detail: Map<String, Value>,
    pub record: Option<StepRecord>,
    /// The run's `reason` in its new state (a wait reason is derived instead).
    pub reason: Option<String>,
    pub lease: LeaseUse,
    /// The run's conditions as evaluated again for this event (a run that waited in the
    /// queue), written as a `run.conditions` entry before the event's own.
    pub conditions: Option<Value>,
}

impl Change {
    pub fn new(event: RunEvent, lease: LeaseUse) -> Self {
        Change {
            event,
            detail: Map::new(),
            record: None,
            reason: None,
            lease,
            conditions: None,
        }
    }

    pub fn conditions(mut self, detail: Value) -> Self {
        self.conditions = Some(detail);
        self
    }

    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.detail.insert(key.into(), value.into());
        self
    }

    pub fn record(mut self, record: StepRecord) -> Self {
        self.record = Some(record);
        self
    }

    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}
