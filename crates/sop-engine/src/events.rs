//! What the engine reports while it drives a run, for whoever watches: the CLI's live view,
//! the server's log and event streams. Every method has a default that ignores the event.

use crate::engine::Tracked;
use crate::executor::StepResult;
use sop_core::definition::Step;
use std::time::Duration;

/// Receives a run's progress as it happens. Called on the thread that drives the run.
pub trait RunEvents {
    /// A step's command is about to start.
    fn step_started(&self, _t: &Tracked, _step: &Step) {}
    /// Bytes the running step wrote to stdout (`stderr` false) or stderr, as they arrive.
    fn step_output(&self, _step: u32, _stderr: bool, _bytes: &[u8]) {}
    /// A step ended by itself; `tolerated`: its failure does not stop the run.
    fn step_finished(&self, _t: &Tracked, _step: u32, _result: &StepResult, _tolerated: bool) {}
    /// A step ended because the run was cancelled.
    fn step_cancelled(&self, _step: u32, _result: &StepResult) {}
    /// A step could not start (its command could not be rendered).
    fn step_error(&self, _step: u32, _why: &str) {}
    /// An attempt failed and another follows after `delay`.
    fn retrying(&self, _step: u32, _attempt: u32, _why: &str, _delay: Duration) {}
    /// The driver was asked to stop while `step` ran.
    fn step_interrupted(&self, _step: u32, _signal: i32) {}
    /// A step's `if` condition was decided.
    fn step_condition(&self, _step: u32, _holds: bool, _explanation: &str) {}
    /// The run's `timeout` passed while this process drove it: it failed with reason `timeout`;
    /// `stopped` is the step its deadline cut short, if one was running.
    fn run_timed_out(&self, _t: &Tracked, _stopped: Option<u32>) {}
    /// `t` ended and its place under `concurrency` went to the queued run `run_id`, now
    /// `pending`: a server starts it, or `sop resume`.
    fn run_dequeued(&self, _t: &Tracked, _run_id: &str) {}
    /// The run was taken over from a process that died.
    fn recovered(&self, _t: &Tracked) {}
    /// The run waits for a person to do a manual step.
    fn manual_step(&self, _t: &Tracked, _step: &Step) {}
    /// A gate passed or was rejected; the run goes on (or ends, rejected).
    fn gate_settled(&self, _t: &Tracked, _step: u32, _outcome: &sop_core::gate::GateOutcome) {}
    /// A person reported a manual step done (or failed); the run goes on.
    fn step_completed(&self, _step: u32, _failed: bool, _by: &str) {}
    /// A person skipped a step; the run goes on.
    fn step_skipped(&self, _step: u32, _by: &str) {}
    /// Something went wrong beside the run that its watcher should know (the run goes on).
    fn warning(&self, _message: &str) {}
}

/// Watches nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl RunEvents for NoEvents {}
