//! What opening a gate records: its deadline, quorum, the approvers it answers to and the tokens
//! it issues.

use super::authority::Authority;
use super::policy::GatePolicy;
use super::token::{TokenHolder, token_grants};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A gate about to be written, with the tokens to generate for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewGate {
    /// 0 = before the run starts.
    pub step: u32,
    pub opened_at: DateTime<Utc>,
    /// `opened_at + approval_timeout`; at this instant an undecided gate fails closed.
    pub expires_at: DateTime<Utc>,
    pub min_approvals: u32,
    /// The `approvers` entries as written (`alice`, `@oncall`, `@ops`); empty = anyone. They are
    /// resolved again at each decision, because on-call and groups change.
    pub approvers: Vec<String>,
    pub tokens: Vec<TokenHolder>,
}

pub fn open_gate(
    policy: &GatePolicy,
    authority: &Authority,
    step: u32,
    now: DateTime<Utc>,
) -> NewGate {
    NewGate {
        step,
        opened_at: now,
        expires_at: now + policy.timeout.as_chrono(),
        min_approvals: policy.min_approvals,
        approvers: policy.approvers.iter().map(|a| a.to_string()).collect(),
        tokens: token_grants(authority),
    }
}

#[cfg(test)]
mod tests {
    use super::super::authority::Roster;
    use super::super::gate_view::tests::t;
    use super::super::groups::Groups;
    use super::super::policy::tests::meta;
    use super::*;
    use crate::{Duration, Priority};

    #[test]
    fn a_new_gate_expires_after_the_approval_timeout_and_issues_tokens() {
        let mut m = meta(Priority::High, &["alice", "@oncall"]);
        m.approval_timeout = Duration::from_secs(30 * 60);
        m.min_approvals = 2;
        let policy = GatePolicy::from_meta(&m).unwrap();
        let on_call = vec!["bob".to_string()];
        let groups = Groups::new();
        let authority = Authority::new(
            &policy,
            Roster {
                on_call: &on_call,
                groups: &groups,
            },
            "alice",
        );
        let g = open_gate(&policy, &authority, 2, t(9, 0));
        assert_eq!(g.step, 2);
        assert_eq!(g.opened_at, t(9, 0));
        assert_eq!(g.expires_at, t(9, 30));
        assert_eq!(g.min_approvals, 2);
        assert_eq!(g.approvers, vec!["alice", "@oncall"]);
        assert_eq!(g.tokens, vec![TokenHolder::Approver("bob".into())]);
    }
}
