//! What can happen to a run: the inputs of the state machine.

use std::fmt;

/// Something that happened to a run, reported by the engine, a person, or the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunEvent {
    /// The conditions hold (or the start was forced): begin with the first step.
    Start,
    /// The conditions do not hold: nothing runs.
    ConditionsUnmet,
    /// A place under the SOP's `concurrency` freed: a queued run becomes `pending`, to be
    /// started (its conditions checked again) by whoever picks it up.
    Dequeue,
    /// A retry's backoff is over: start the step's next attempt.
    StepStarted { step: u32 },
    /// The step's process exited 0.
    StepSucceeded { step: u32 },
    /// The step's process exited non-zero, could not start, or overran its timeout.
    StepFailed { step: u32, timed_out: bool },
    /// A person reports a waiting step done (`sop done`).
    DoneByPerson { step: u32 },
    /// A person reports a waiting step failed (`sop done --failed`).
    FailedByPerson { step: u32 },
    /// Stop before the next step (`sop pause`).
    Pause,
    /// Go on (`sop resume`); also picks up a pending run.
    Resume,
    /// Stop now (`sop cancel`): a running step is killed.
    Cancel,
    /// Run a failed or interrupted step again (`sop retry`).
    Retry { step: Option<u32> },
    /// Give up on a failed, interrupted or manual step and go on (`sop skip`).
    Skip { step: u32 },
    /// The process holding the run's lease stopped renewing it (it died).
    LeaseLapsed,
    /// The open gate before `step` got its last needed approval.
    GateApproved { step: u32 },
    /// The open gate before `step` was rejected.
    GateRejected { step: u32 },
    /// The open gate before `step` reached its deadline; `cancel` is `on_timeout = "cancel"`.
    GateExpired { step: u32, cancel: bool },
    /// The `if` condition of the step the run reached holds: the step goes ahead.
    StepConditionMet { step: u32 },
    /// The `if` condition of the step the run reached does not hold (or could not be
    /// evaluated): the step is skipped and the run goes on.
    StepConditionFalse { step: u32 },
    /// The run's `timeout` passed: a running step is stopped as on cancel and the run fails.
    TimedOut,
}

impl RunEvent {
    /// Every kind of event with placeholder fields: the exhaustive tests walk this list.
    pub const KINDS: [RunEvent; 21] = [
        RunEvent::Start,
        RunEvent::ConditionsUnmet,
        RunEvent::Dequeue,
        RunEvent::StepStarted { step: 1 },
        RunEvent::StepSucceeded { step: 1 },
        RunEvent::StepFailed {
            step: 1,
            timed_out: false,
        },
        RunEvent::DoneByPerson { step: 1 },
        RunEvent::FailedByPerson { step: 1 },
        RunEvent::Pause,
        RunEvent::Resume,
        RunEvent::Cancel,
        RunEvent::Retry { step: None },
        RunEvent::Skip { step: 1 },
        RunEvent::LeaseLapsed,
        RunEvent::GateApproved { step: 1 },
        RunEvent::GateRejected { step: 1 },
        RunEvent::GateExpired {
            step: 1,
            cancel: false,
        },
        RunEvent::StepFailed {
            step: 1,
            timed_out: true,
        },
        RunEvent::StepConditionMet { step: 1 },
        RunEvent::StepConditionFalse { step: 1 },
        RunEvent::TimedOut,
    ];

    /// A short name for messages and the audit trail.
    pub fn name(&self) -> &'static str {
        match self {
            RunEvent::Start => "start",
            RunEvent::ConditionsUnmet => "conditions_unmet",
            RunEvent::Dequeue => "dequeue",
            RunEvent::StepStarted { .. } => "step_started",
            RunEvent::StepSucceeded { .. } => "step_succeeded",
            RunEvent::StepFailed {
                timed_out: false, ..
            } => "step_failed",
            RunEvent::StepFailed {
                timed_out: true, ..
            } => "step_timed_out",
            RunEvent::DoneByPerson { .. } => "done",
            RunEvent::FailedByPerson { .. } => "done_failed",
            RunEvent::Pause => "pause",
            RunEvent::Resume => "resume",
            RunEvent::Cancel => "cancel",
            RunEvent::Retry { .. } => "retry",
            RunEvent::Skip { .. } => "skip",
            RunEvent::LeaseLapsed => "lease_lapsed",
            RunEvent::GateApproved { .. } => "gate_approved",
            RunEvent::GateRejected { .. } => "gate_rejected",
            RunEvent::GateExpired { .. } => "gate_expired",
            RunEvent::StepConditionMet { .. } => "condition_met",
            RunEvent::StepConditionFalse { .. } => "condition_false",
            RunEvent::TimedOut => "timed_out",
        }
    }
}

impl fmt::Display for RunEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
