//! Approval gates and the decisions people take on them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateStatus {
    Open,
    Approved,
    Rejected,
    Expired,
    Cancelled,
}

/// What happens to the run when a gate reaches its deadline undecided. Never "approve".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateTimeoutAction {
    #[default]
    Expire,
    Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
}

/// One person's decision on a gate. At most one per person and gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateDecision {
    pub gate_id: String,
    pub actor: String,
    pub decision: Decision,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

macro_rules! text_enum {
    ($ty:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($ty::$variant),)+
                    _ => Err(format!(
                        concat!("unknown ", $what, " `{}`; use one of {}"),
                        s,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(GateStatus, "gate status", {
    Open => "open",
    Approved => "approved",
    Rejected => "rejected",
    Expired => "expired",
    Cancelled => "cancelled",
});
text_enum!(GateTimeoutAction, "on_timeout", { Expire => "expire", Cancel => "cancel" });
text_enum!(Decision, "decision", { Approve => "approve", Reject => "reject" });

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
        assert_eq!(Decision::Reject.to_string(), "reject");
    }
}
