//! How the caller follows a running step: where output goes, when to stop, what to record.

use super::group_leader::GroupLeader;
use std::time::Duration;

/// One failed attempt that will be retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedAttempt {
    /// 1-based.
    pub attempt: u32,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    /// Why it failed when no exit status says it (an invalid `$SOP_OUTPUT` file).
    pub error: Option<String>,
    pub duration: Duration,
}

/// Receives a step's events. Every method has a no-op default.
pub trait Observer {
    /// The process group of attempt `attempt` (the run's number), made with
    /// [`Executor::new_group`](super::Executor::new_group) and recorded; `None` lets the
    /// executor make one itself. An error is the attempt's failure to start.
    fn process_group(&mut self, _attempt: u32) -> Option<std::io::Result<GroupLeader>> {
        None
    }

    /// A process of the step started in process group `pgid` (every block of an attempt runs in
    /// the same group). [`terminate_group`](super::terminate_group) stops it.
    fn spawned(&mut self, _pgid: i32) {}

    /// Asked about every [`Settings::poll_interval`](super::ExecutorSettings) while a process runs and
    /// while waiting to retry; `true` stops the step (SIGTERM to the group, SIGKILL after the
    /// grace period) and marks it cancelled.
    fn should_stop(&mut self) -> bool {
        false
    }

    /// Bytes the process wrote to stdout, as they arrive.
    fn stdout(&mut self, _bytes: &[u8]) {}

    /// Bytes the process wrote to stderr, as they arrive.
    fn stderr(&mut self, _bytes: &[u8]) {}

    /// An attempt failed and the next starts after `delay`.
    fn retrying(&mut self, _failed: &FailedAttempt, _delay: Duration) {}
}
