//! The life of a run: its states, its steps' states, and the pure transition rules between them.

mod run_status;
mod step_status;

pub use run_status::RunStatus;
pub use step_status::StepStatus;
