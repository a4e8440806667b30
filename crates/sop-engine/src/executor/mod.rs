//! Runs a step's code blocks as processes: `sh -c` / `bash -c` in the run's working directory,
//! each in its own process group, with the variables in the environment, output streamed and
//! captured, a timeout, cancellation and retries. `docs/execution.md` is the user-facing contract.
//!
//! The engine builds one [`Executor`] per run and calls [`Executor::run_step`] per step; the
//! retry loop lives here, so the engine sees one [`StepResult`] per step and follows attempts
//! through [`Observer::retrying`]. Each attempt's process group is made first
//! ([`Executor::new_group`]) so the engine can record it in the transaction that starts the
//! attempt before any of its commands runs. `sop cancel` stops a step owned by another process with
//! [`terminate_group`].

mod bare_leader;
mod capture;
mod env;
mod env_fit;
mod environ;
mod group;
mod group_leader;
mod held;
mod leader_pool;
mod observer;
mod output_file;
mod process;
mod program;
mod punctual;
mod result;
mod scratch;
mod script;
mod settings;
mod spawn;
mod step;
mod vm_child;

pub use capture::TAIL_BYTES;
pub use env::{OWN_NAMES, is_own_name, var_env_name, variable_env};
pub use env_fit::{UnfitKey, UnfitReason, keep_fit};
pub use group::{Termination, terminate_group};
pub use group_leader::GroupLeader;
pub use leader_pool::LeaderPool;
pub use observer::{FailedAttempt, Observer};
pub use result::StepResult;
pub use scratch::ScratchDir;
pub use script::Script;
pub use settings::{ExecutorSettings, parse_duration};
pub use step::{Executor, RunInfo, StepRequest};

#[cfg(test)]
mod tests;
