//! Where a run is in its life. Terminal states never change again.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Recorded, not yet picked up by a process.
    Pending,
    /// Waiting for a free place under the SOP's `concurrency` (`on_limit = "queue"`); it
    /// becomes `pending` when a run of the SOP ends, oldest first.
    Queued,
    /// A gate is open; nothing runs until it is decided.
    AwaitingApproval,
    /// A step is executing (or about to) under some process's lease.
    Running,
    /// A manual step waits for `sop done`, or an interrupted step waits for `retry`/`skip`.
    Waiting,
    /// Stopped before the next step by `sop pause`.
    Paused,
    Succeeded,
    Failed,
    Cancelled,
    Rejected,
    Expired,
    /// Conditions were not met; nothing ran.
    Skipped,
}

impl RunStatus {
    pub const ALL: [RunStatus; 12] = [
        RunStatus::Pending,
        RunStatus::Queued,
        RunStatus::AwaitingApproval,
        RunStatus::Running,
        RunStatus::Waiting,
        RunStatus::Paused,
        RunStatus::Succeeded,
        RunStatus::Failed,
        RunStatus::Cancelled,
        RunStatus::Rejected,
        RunStatus::Expired,
        RunStatus::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Pending => "pending",
            RunStatus::Queued => "queued",
            RunStatus::AwaitingApproval => "awaiting_approval",
            RunStatus::Running => "running",
            RunStatus::Waiting => "waiting",
            RunStatus::Paused => "paused",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Rejected => "rejected",
            RunStatus::Expired => "expired",
            RunStatus::Skipped => "skipped",
        }
    }

    /// A terminal run never changes state again.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            RunStatus::Succeeded
                | RunStatus::Failed
                | RunStatus::Cancelled
                | RunStatus::Rejected
                | RunStatus::Expired
                | RunStatus::Skipped
        )
    }

    /// Counts against an SOP's `concurrency` limit: every unfinished run except a queued one,
    /// which waits for a place instead of holding one.
    pub fn is_active(self) -> bool {
        !self.is_terminal() && self != RunStatus::Queued
    }
}

impl FromStr for RunStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RunStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<_> = RunStatus::ALL.iter().map(|s| s.as_str()).collect();
                format!("unknown run status `{s}`; use one of {}", all.join(", "))
            })
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
