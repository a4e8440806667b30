//! Approval gates and the decisions people take on them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sop_core::definition::OnTimeout;
use sop_core::gate::DecisionRecord;
pub use sop_core::gate::{Choice, GateStatus};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    pub id: String,
    pub run_id: String,
    /// The step the gate stands before; 0 = before the run starts.
    pub step: u32,
    pub opened_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Who may decide (names and `@group`s, unresolved); empty = anyone.
    pub approvers: Vec<String>,
    pub min_approvals: u32,
    pub on_timeout: GateTimeoutAction,
    pub status: GateStatus,
    pub decided_at: Option<DateTime<Utc>>,
    /// When a notifier should remind the approvers (before the deadline); `None`: no reminder.
    #[serde(default)]
    pub remind_at: Option<DateTime<Utc>>,
}

/// What opening a gate records. The store assigns the id; the gate starts `open`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGate {
    pub run_id: String,
    pub step: u32,
    pub opened_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub approvers: Vec<String>,
    pub min_approvals: u32,
    pub on_timeout: GateTimeoutAction,
    pub remind_at: Option<DateTime<Utc>>,
}

/// What happens to the run when a gate reaches its deadline undecided. Never "approve".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum GateTimeoutAction {
    #[default]
    Expire,
    Cancel,
}

/// One person's decision on a gate. At most one per person and gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateDecision {
    pub gate_id: String,
    pub actor: String,
    pub decision: Choice,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

impl GateTimeoutAction {
    pub fn as_str(self) -> &'static str {
        match self {
            GateTimeoutAction::Expire => "expire",
            GateTimeoutAction::Cancel => "cancel",
        }
    }
}

impl FromStr for GateTimeoutAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "expire" => Ok(GateTimeoutAction::Expire),
            "cancel" => Ok(GateTimeoutAction::Cancel),
            _ => Err(format!(
                "unknown on_timeout `{s}`; use one of expire, cancel"
            )),
        }
    }
}

impl fmt::Display for GateTimeoutAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<OnTimeout> for GateTimeoutAction {
    fn from(t: OnTimeout) -> Self {
        match t {
            OnTimeout::Expire => GateTimeoutAction::Expire,
            OnTimeout::Cancel => GateTimeoutAction::Cancel,
        }
    }
}

impl From<GateTimeoutAction> for OnTimeout {
    fn from(t: GateTimeoutAction) -> Self {
        match t {
            GateTimeoutAction::Expire => OnTimeout::Expire,
            GateTimeoutAction::Cancel => OnTimeout::Cancel,
        }
    }
}

impl From<&GateDecision> for DecisionRecord {
    fn from(d: &GateDecision) -> Self {
        DecisionRecord {
            actor: d.actor.clone(),
            choice: d.decision,
            at: d.at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for s in ["open", "approved", "rejected", "expired", "cancelled"] {
            assert_eq!(s.parse::<GateStatus>().unwrap().as_str(), s);
        }
        assert_eq!(
            "cancel".parse::<GateTimeoutAction>(),
            Ok(GateTimeoutAction::Cancel)
        );
        assert_eq!(
            "approve".parse::<GateTimeoutAction>().unwrap_err(),
            "unknown on_timeout `approve`; use one of expire, cancel"
        );
        assert_eq!(Choice::Reject.to_string(), "reject");
        assert_eq!(
            OnTimeout::from(GateTimeoutAction::Cancel),
            OnTimeout::Cancel
        );
        assert_eq!(
            GateTimeoutAction::from(OnTimeout::Expire),
            GateTimeoutAction::Expire
        );
    }
}
