//! Runs a step's code blocks as processes: `sh -c` / `bash -c` in the run's working directory,
//! each in its own process group, with the variables in the environment, output streamed and
//! captured, a timeout, cancellation and retries. `docs/execution.md` is the user-facing contract.
//!
//! The engine builds one [`Executor`] per run and calls [`Executor::run_step`] per step; the
//! retry loop lives here, so the engine sees one [`StepResult`] per step and follows attempts
//! through [`Observer::retrying`]. `sop cancel` stops a step owned by another process with
//! [`terminate_group`].

// The engine and `sop cancel` are the callers; until every item is called from them, unused
// parts of this API must not fail the build.
#![allow(dead_code, unused_imports)]

mod capture;
mod env;
mod group;
pub mod interrupt;
mod observer;
mod process;
mod result;
mod scratch;
mod script;
mod settings;
mod step;

pub use capture::{CapturedOutput, TAIL_BYTES};
pub use env::{EnvError, output_env_name, var_env_name, variable_env};
pub use group::{Termination, signal_group, terminate_group};
pub use observer::{FailedAttempt, Observer, Quiet, Terminal};
pub use result::StepResult;
pub use scratch::ScratchDir;
pub use script::Script;
pub use settings::{MAX_BACKOFF, Settings, backoff, parse_duration};
pub use step::{Executor, RunInfo, StepRequest};

#[cfg(test)]
mod tests;
