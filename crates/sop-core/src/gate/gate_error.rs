//! Why a decision or a token was refused. Each message names the real state and what to do.

use super::choice::Choice;
use super::gate_status::{GateStatus, gate_label};
use crate::Priority;
use crate::run::RunStatus;
use chrono::{DateTime, SecondsFormat, Utc};

fn ts(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    #[error("{} is already {status}; only an open gate takes decisions", gate_label(*step))]
    NotOpen { step: u32, status: GateStatus },

    #[error(
        "{} {} at {}; decisions after the deadline are refused",
        gate_label(*step),
        if *closes_as == GateStatus::Cancelled { "timed out and was cancelled" } else { "expired" },
        ts(deadline)
    )]
    Expired {
        step: u32,
        deadline: DateTime<Utc>,
        /// What the gate (and with it the run) becomes: expired, or cancelled under
        /// `on_timeout = "cancel"`. The caller records it.
        closes_as: GateStatus,
    },

    #[error("the run has no open gate (it is {run_status})")]
    NoOpenGate { run_status: RunStatus },

    #[error(
        "the run has no gate before step {step}; {}",
        match open { Some(s) => format!("its open gate is before {}", gate_label(*s).trim_start_matches("the gate before ")), None => "it has no open gate".to_string() }
    )]
    NoSuchGate { step: u32, open: Option<u32> },

    /// The plan has a gate there, but the run has not reached it.
    #[error(
        "{} has not opened yet: the run has not reached it; {}",
        gate_label(*step),
        match open { Some(s) => format!("its open gate is before {}", gate_label(*s).trim_start_matches("the gate before ")), None => "it has no open gate".to_string() }
    )]
    NotReached { step: u32, open: Option<u32> },

    #[error("{actor} is not an approver of {sop} (approvers: {approvers})")]
    NotAnApprover {
        actor: String,
        sop: String,
        /// The `approvers` entries with what they resolved to at that instant.
        approvers: String,
    },

    #[error("{actor} started this run and {sop} ({priority}) does not allow self-approval")]
    SelfApproval {
        actor: String,
        sop: String,
        priority: Priority,
    },

    #[error(
        "{actor} already approved {} at {}; {}",
        gate_label(*step),
        ts(at),
        match attempted {
            Choice::Approve => format!(
                "an approver counts once, so it still needs {remaining} more approval{} from someone else",
                if *remaining == 1 { "" } else { "s" }
            ),
            Choice::Reject => "a person decides a gate once; to stop the run, cancel it".to_string(),
        }
    )]
    AlreadyApproved {
        actor: String,
        step: u32,
        at: DateTime<Utc>,
        remaining: u32,
        /// What they asked for this time.
        attempted: Choice,
    },

    #[error("no gate issued this token; check that it was copied whole")]
    TokenUnknown,

    #[error(
        "the token was already used at {}; a token decides its gate once",
        ts(at)
    )]
    TokenUsed { at: DateTime<Utc> },

    /// Tokens die with their gate; `status` is what the gate became.
    #[error("the token was revoked: {} is {status}", gate_label(*step))]
    TokenRevoked { step: u32, status: GateStatus },

    #[error("the token belongs to another gate, not {}", gate_label(*step))]
    TokenForeign { step: u32 },

    #[error("the token was issued to {holder}; {actor} cannot use it")]
    TokenHolder { holder: String, actor: String },

    #[error(
        "{sop} sets approval_auth = \"token\": only decisions made with an API token or a gate token count, not a claimed identity"
    )]
    Unauthenticated { sop: String },
}

impl GateError {
    /// Whether the run's state, not who decides, stands in the way: no gate is open there
    /// (any more). The others refuse this person or this token.
    pub fn is_state(&self) -> bool {
        matches!(
            self,
            GateError::NotOpen { .. }
                | GateError::Expired { .. }
                | GateError::NoOpenGate { .. }
                | GateError::NoSuchGate { .. }
                | GateError::NotReached { .. }
        )
    }

    /// A stable short name for audit entries and JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            GateError::NotOpen { .. } => "not_open",
            GateError::Expired { .. } => "expired",
            GateError::NoOpenGate { .. } => "no_open_gate",
            GateError::NoSuchGate { .. } => "no_such_gate",
            GateError::NotReached { .. } => "not_reached",
            GateError::NotAnApprover { .. } => "not_an_approver",
            GateError::SelfApproval { .. } => "self_approval",
            GateError::AlreadyApproved { .. } => "already_approved",
            GateError::TokenUnknown => "token_unknown",
            GateError::TokenUsed { .. } => "token_used",
            GateError::TokenRevoked { .. } => "token_revoked",
            GateError::TokenForeign { .. } => "token_foreign",
            GateError::TokenHolder { .. } => "token_holder",
            GateError::Unauthenticated { .. } => "unauthenticated",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 31, 9, 30, 0).unwrap()
    }

    #[test]
    fn messages_read_like_sentences_with_the_real_state() {
        let cases: Vec<(GateError, &str)> = vec![
            (
                GateError::NotOpen {
                    step: 2,
                    status: GateStatus::Approved,
                },
                "the gate before step 2 is already approved; only an open gate takes decisions",
            ),
            (
                GateError::Expired {
                    step: 0,
                    deadline: at(),
                    closes_as: GateStatus::Expired,
                },
                "the gate before the run starts expired at 2026-01-31T09:30:00Z; decisions after the deadline are refused",
            ),
            (
                GateError::Expired {
                    step: 1,
                    deadline: at(),
                    closes_as: GateStatus::Cancelled,
                },
                "the gate before step 1 timed out and was cancelled at 2026-01-31T09:30:00Z; decisions after the deadline are refused",
            ),
            (
                GateError::NoOpenGate {
                    run_status: RunStatus::Succeeded,
                },
                "the run has no open gate (it is succeeded)",
            ),
            (
                GateError::NoSuchGate {
                    step: 3,
                    open: Some(2),
                },
                "the run has no gate before step 3; its open gate is before step 2",
            ),
            (
                GateError::NoSuchGate {
                    step: 3,
                    open: Some(0),
                },
                "the run has no gate before step 3; its open gate is before the run starts",
            ),
            (
                GateError::NoSuchGate {
                    step: 3,
                    open: None,
                },
                "the run has no gate before step 3; it has no open gate",
            ),
            (
                GateError::NotReached {
                    step: 3,
                    open: Some(0),
                },
                "the gate before step 3 has not opened yet: the run has not reached it; its open gate is before the run starts",
            ),
            (
                GateError::NotAnApprover {
                    actor: "bob".into(),
                    sop: "deploy-prod".into(),
                    approvers: "alice".into(),
                },
                "bob is not an approver of deploy-prod (approvers: alice)",
            ),
            (
                GateError::SelfApproval {
                    actor: "alice".into(),
                    sop: "deploy-prod".into(),
                    priority: Priority::Critical,
                },
                "alice started this run and deploy-prod (critical) does not allow self-approval",
            ),
            (
                GateError::AlreadyApproved {
                    actor: "alice".into(),
                    step: 1,
                    at: at(),
                    remaining: 1,
                    attempted: Choice::Approve,
                },
                "alice already approved the gate before step 1 at 2026-01-31T09:30:00Z; an approver counts once, so it still needs 1 more approval from someone else",
            ),
            (
                GateError::AlreadyApproved {
                    actor: "alice".into(),
                    step: 1,
                    at: at(),
                    remaining: 2,
                    attempted: Choice::Reject,
                },
                "alice already approved the gate before step 1 at 2026-01-31T09:30:00Z; a person decides a gate once; to stop the run, cancel it",
            ),
            (
                GateError::TokenUsed { at: at() },
                "the token was already used at 2026-01-31T09:30:00Z; a token decides its gate once",
            ),
            (
                GateError::TokenForeign { step: 2 },
                "the token belongs to another gate, not the gate before step 2",
            ),
            (
                GateError::TokenHolder {
                    holder: "alice".into(),
                    actor: "bob".into(),
                },
                "the token was issued to alice; bob cannot use it",
            ),
        ];
        for (err, msg) in cases {
            assert_eq!(err.to_string(), msg);
        }
    }

    #[test]
    fn kinds_are_distinct() {
        let all = [
            GateError::NotOpen {
                step: 0,
                status: GateStatus::Rejected,
            },
            GateError::Expired {
                step: 0,
                deadline: at(),
                closes_as: GateStatus::Expired,
            },
            GateError::NoOpenGate {
                run_status: RunStatus::Running,
            },
            GateError::NoSuchGate {
                step: 0,
                open: None,
            },
            GateError::NotAnApprover {
                actor: String::new(),
                sop: String::new(),
                approvers: String::new(),
            },
            GateError::SelfApproval {
                actor: String::new(),
                sop: String::new(),
                priority: Priority::Low,
            },
            GateError::AlreadyApproved {
                actor: String::new(),
                step: 0,
                at: at(),
                remaining: 1,
                attempted: Choice::Approve,
            },
            GateError::TokenUnknown,
            GateError::TokenUsed { at: at() },
            GateError::TokenRevoked {
                step: 0,
                status: GateStatus::Expired,
            },
            GateError::TokenForeign { step: 0 },
            GateError::TokenHolder {
                holder: String::new(),
                actor: String::new(),
            },
        ];
        let mut kinds: Vec<_> = all.iter().map(GateError::kind).collect();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds.len(), all.len());
    }
}
