//! What the state machine decides: the run's new state, step changes, and what to do next.

use super::{GateState, RunStatus, StepStatus, WaitReason};
use chrono::{DateTime, Utc};

/// One step's new status. `attempt` is set when a new attempt of the step starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepChange {
    pub step: u32,
    pub status: StepStatus,
    pub attempt: Option<u32>,
}

/// What the process applying the decision should do once it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing now: a step already running goes on in whichever process runs it.
    Continue,
    /// Start attempt `attempt` of automated step `step`.
    Execute { step: u32, attempt: u32 },
    /// Wait until `until`, then report [`RunEvent::StepStarted`](super::RunEvent::StepStarted).
    Backoff {
        step: u32,
        attempt: u32,
        until: DateTime<Utc>,
    },
    /// Manual step `step` waits for a person; the driver lets go.
    AwaitManual { step: u32 },
    /// Open the approval gate before `step`; the driver lets go until it is decided.
    AwaitGate { step: u32 },
    /// The run reached `step`, whose `if` condition decides whether it runs: evaluate it now
    /// and report [`RunEvent::StepConditionMet`](super::RunEvent::StepConditionMet) or
    /// [`RunEvent::StepConditionFalse`](super::RunEvent::StepConditionFalse).
    CheckCondition { step: u32 },
    /// Stop the running step `step` (SIGTERM to its process group, then SIGKILL).
    Kill { step: u32 },
    /// The run is finished or parked; the driver lets go.
    Stop,
}

/// The outcome of one transition. Applying it is one store transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub status: RunStatus,
    /// Set exactly when `status` is `waiting`.
    pub wait_reason: Option<WaitReason>,
    /// Step status changes, in step order.
    pub steps: Vec<StepChange>,
    /// A gate that opens (`AwaitGate`) or was just approved, with its new state.
    pub gate: Option<(u32, GateState)>,
    pub action: Action,
    /// The run's conditions were evaluated again for this decision (a run that waited in the
    /// queue starts or is skipped): they are no longer due.
    pub conditions_checked: bool,
}

impl Decision {
    /// The status a step has once this decision applies, given its status before.
    pub fn step_status(&self, step: u32, before: StepStatus) -> StepStatus {
        self.steps
            .iter()
            .rev()
            .find(|c| c.step == step)
            .map_or(before, |c| c.status)
    }

    /// True when nothing changes: the event was legal but had no effect on stored state.
    pub fn is_noop(&self, before: RunStatus) -> bool {
        self.status == before && self.steps.is_empty() && self.gate.is_none()
    }
}
