//! Why an event cannot apply to a run, phrased for the person who asked.

use super::{RunStatus, StepStatus};

/// An illegal transition. Messages name the run and its real state, and say what would work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The run is finished; nothing changes it any more.
    #[error("run {run} is already {status}")]
    Finished { run: String, status: RunStatus },
    /// The run is in a state where this event makes no sense.
    #[error("run {run} is {status}; {hint}")]
    WrongState {
        run: String,
        status: RunStatus,
        hint: String,
    },
    /// The event names a step that is not the one it could apply to.
    #[error("step {step} of run {run} is {status}; {hint}")]
    WrongStep {
        run: String,
        step: u32,
        status: StepStatus,
        hint: String,
    },
    /// The run's `timeout` has not passed (or it has none).
    #[error("run {run} is {status} and has not reached its deadline ({deadline})")]
    NotDue {
        run: String,
        status: RunStatus,
        deadline: String,
    },
    #[error("run {run} has no step {step}; its steps are 1 to {count}")]
    NoSuchStep {
        run: String,
        step: u32,
        count: usize,
    },
}
