//! How a step ended: exit status, timeout or cancellation, captured output and outputs.

use super::capture::CapturedOutput;
use sop_core::step_output::{OutputFileError, Outputs};
use std::time::Duration;

/// How a step ended, after all its attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepResult {
    /// Exit code of the last process that ran, if it exited normally.
    pub exit_code: Option<i32>,
    /// The signal that ended the last process, if one did.
    pub signal: Option<i32>,
    /// The last attempt hit the timeout.
    pub timed_out: bool,
    /// [`Observer::should_stop`](super::Observer::should_stop) asked to stop.
    pub cancelled: bool,
    /// The run's deadline had come when the step ended (its last attempt was stopped by it).
    pub deadline_passed: bool,
    /// The command could not be started (no `bash`, no working directory, ...).
    pub error: Option<String>,
    /// The last attempt's `$SOP_OUTPUT` file was invalid.
    pub output_error: Option<OutputFileError>,
    /// Attempts made, at least 1.
    pub attempts: u32,
    /// From the start of the first attempt to the end of the last, waits included.
    pub duration: Duration,
    /// stdout and stderr of every attempt, in order.
    pub output: CapturedOutput,
    /// What the last attempt wrote to `$SOP_OUTPUT`; empty unless it succeeded.
    pub outputs: Outputs,
}

impl StepResult {
    pub fn succeeded(&self) -> bool {
        self.exit_code == Some(0)
            && !self.timed_out
            && !self.cancelled
            && self.error.is_none()
            && self.output_error.is_none()
    }

    /// A short reason for a failure, e.g. `exit code 3`, `timed out`, `killed by signal 9`.
    pub fn failure(&self) -> Option<String> {
        if self.succeeded() {
            return None;
        }
        Some(if self.cancelled {
            "cancelled".to_string()
        } else if self.timed_out {
            "timed out".to_string()
        } else if let Some(e) = &self.error {
            e.clone()
        } else if let Some(e) = &self.output_error {
            e.to_string()
        } else if let Some(s) = self.signal {
            format!("killed by signal {s}")
        } else {
            format!("exit code {}", self.exit_code.unwrap_or(-1))
        })
    }
}
