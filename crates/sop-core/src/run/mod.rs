//! The life of a run: its states, its steps' states, and the pure transition rules between them.
//!
//! [`next`] is the whole rulebook: given a [`RunView`] and a [`RunEvent`] it returns a
//! [`Decision`] (new run status, step changes, and the [`Action`] the engine should take) or a
//! [`TransitionError`] naming the run's real state.

mod backoff;
mod deadline;
mod decision;
mod event;
mod machine;
mod refusal;
mod run_status;
mod step_status;
mod target;
mod transition_error;
mod view;

#[cfg(test)]
mod condition_tests;
#[cfg(test)]
mod tests;

pub use backoff::{MAX_BACKOFF, backoff};
pub use deadline::{due_for_bystander, run_deadline, time_left};
pub use decision::{Action, Decision, StepChange};
pub use event::RunEvent;
pub use machine::next;
pub use run_status::RunStatus;
pub use step_status::StepStatus;
pub use transition_error::TransitionError;
pub use view::{GateState, RunView, StepView, WaitReason};
