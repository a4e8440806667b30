//! Where a gate is in its life, and what one person says about it.

use crate::run::RunStatus;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The state of one approval gate. Every state but `Open` is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GateStatus {
    /// Waiting for decisions; the run is `awaiting_approval`.
    Open,
    /// Quorum reached; the run goes on.
    Approved,
    /// Someone allowed to decide rejected it; nothing after it runs.
    Rejected,
    /// Nobody decided before the deadline (`on_timeout = "expire"`).
    Expired,
    /// Closed without a decision: the run was cancelled, or the deadline passed with
    /// `on_timeout = "cancel"`.
    Cancelled,
}

impl GateStatus {
    pub const ALL: [GateStatus; 5] = [
        GateStatus::Open,
        GateStatus::Approved,
        GateStatus::Rejected,
        GateStatus::Expired,
        GateStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GateStatus::Open => "open",
            GateStatus::Approved => "approved",
            GateStatus::Rejected => "rejected",
            GateStatus::Expired => "expired",
            GateStatus::Cancelled => "cancelled",
        }
    }

    pub fn is_open(self) -> bool {
        self == GateStatus::Open
    }

    /// The run's state once this gate closes this way; `None` when the run goes on (approved) or
    /// the gate is still open.
    pub fn run_status_after(self) -> Option<RunStatus> {
        match self {
            GateStatus::Open | GateStatus::Approved => None,
            GateStatus::Rejected => Some(RunStatus::Rejected),
            GateStatus::Expired => Some(RunStatus::Expired),
            GateStatus::Cancelled => Some(RunStatus::Cancelled),
        }
    }
}

impl FromStr for GateStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GateStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown gate status `{s}`; use open, approved, rejected, expired or cancelled"
                )
            })
    }
}

impl fmt::Display for GateStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a gate is named in messages: step 0 is the gate before the run starts.
pub fn gate_label(step: u32) -> String {
    if step == 0 {
        "the gate before the run starts".to_string()
    } else {
        format!("the gate before step {step}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_through_text_and_json() {
        for st in GateStatus::ALL {
            assert_eq!(st.as_str().parse::<GateStatus>(), Ok(st));
            let json = serde_json::to_string(&st).unwrap();
            assert_eq!(json, format!("\"{}\"", st.as_str()));
            assert_eq!(serde_json::from_str::<GateStatus>(&json).unwrap(), st);
        }
        let err = "approve".parse::<GateStatus>().unwrap_err();
        assert!(err.contains("unknown gate status `approve`"), "{err}");
    }

    #[test]
    fn only_open_is_open_and_closing_maps_to_the_run() {
        assert!(GateStatus::Open.is_open());
        assert_eq!(GateStatus::Open.run_status_after(), None);
        assert_eq!(GateStatus::Approved.run_status_after(), None);
        assert_eq!(
            GateStatus::Rejected.run_status_after(),
            Some(RunStatus::Rejected)
        );
        assert_eq!(
            GateStatus::Expired.run_status_after(),
            Some(RunStatus::Expired)
        );
        assert_eq!(
            GateStatus::Cancelled.run_status_after(),
            Some(RunStatus::Cancelled)
        );
        for st in &GateStatus::ALL[1..] {
            assert!(!st.is_open());
        }
    }

    #[test]
    fn step_zero_is_the_start_of_the_run() {
        assert_eq!(gate_label(0), "the gate before the run starts");
        assert_eq!(gate_label(3), "the gate before step 3");
    }
}
