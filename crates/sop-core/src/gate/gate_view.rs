//! A gate as recorded — its deadline, quorum and decisions so far — and what it still waits for.

use super::authority::Authority;
use super::choice::Choice;
use super::gate_status::GateStatus;
use crate::definition::OnTimeout;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One decision already recorded on a gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionRecord {
    pub actor: String,
    pub choice: Choice,
    pub at: DateTime<Utc>,
}

/// What the pure rules need to know about one recorded gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateView {
    pub run_id: String,
    /// 0 = before the run starts.
    pub step: u32,
    pub status: GateStatus,
    pub opened_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub min_approvals: u32,
    pub on_timeout: OnTimeout,
    /// In the order they were recorded.
    pub decisions: Vec<DecisionRecord>,
}

impl GateView {
    /// Distinct approvers in the order of their first approval; a second approval by the same
    /// person is not counted.
    pub fn approvers(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for d in &self.decisions {
            if d.choice == Choice::Approve && !seen.contains(&d.actor.as_str()) {
                seen.push(&d.actor);
            }
        }
        seen
    }

    pub fn approved_by(&self, actor: &str) -> Option<&DecisionRecord> {
        self.decisions
            .iter()
            .find(|d| d.choice == Choice::Approve && d.actor == actor)
    }

    /// Approvals still needed to reach the quorum.
    pub fn remaining(&self) -> u32 {
        let have = self.approvers().len() as u32;
        self.min_approvals.max(1).saturating_sub(have)
    }

    /// Fails closed: at or after the deadline an open gate is over. Returns what it becomes —
    /// `expired`, or `cancelled` under `on_timeout = "cancel"`; never approved.
    pub fn expiry(&self, now: DateTime<Utc>) -> Option<GateStatus> {
        (self.status.is_open() && now >= self.expires_at).then_some(match self.on_timeout {
            OnTimeout::Expire => GateStatus::Expired,
            OnTimeout::Cancel => GateStatus::Cancelled,
        })
    }

    /// `1 more approval from carol or dave`, `2 more approvals from anyone but alice`.
    pub fn waiting_for(&self, authority: &Authority) -> String {
        let remaining = self.remaining();
        let noun = if remaining == 1 {
            "approval"
        } else {
            "approvals"
        };
        let done = self.approvers();
        let from = if authority.anyone() {
            match authority.check_self(authority.starter()) {
                Ok(()) if done.is_empty() => "anyone".to_string(),
                Ok(()) => format!("anyone but {}", done.join(", ")),
                Err(_) => {
                    let mut not = vec![authority.starter()];
                    not.extend(done.iter().filter(|d| **d != authority.starter()));
                    format!("anyone but {}", not.join(", "))
                }
            }
        } else {
            let left: Vec<&str> = authority.eligible().filter(|p| !done.contains(p)).collect();
            match left.len() {
                0 => "nobody who may decide now".to_string(),
                1 => left[0].to_string(),
                n => format!("{} or {}", left[..n - 1].join(", "), left[n - 1]),
            }
        };
        format!("{remaining} more {noun} from {from}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::authority::tests::authority_in;
    use super::super::groups::Groups;
    use super::*;
    use crate::Priority;
    use chrono::TimeZone;

    pub(crate) fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 31, h, m, 0).unwrap()
    }

    pub(crate) fn gate(min: u32, decisions: &[(&str, Choice)]) -> GateView {
        GateView {
            run_id: "r1".into(),
            step: 1,
            status: GateStatus::Open,
            opened_at: t(9, 0),
            expires_at: t(10, 0),
            min_approvals: min,
            on_timeout: OnTimeout::Expire,
            decisions: decisions
                .iter()
                .map(|(a, v)| DecisionRecord {
                    actor: a.to_string(),
                    choice: *v,
                    at: t(9, 1),
                })
                .collect(),
        }
    }

    pub(crate) fn authority(priority: Priority, approvers: &[&str], starter: &str) -> Authority {
        authority_in(priority, approvers, &[], &Groups::new(), starter)
    }

    #[test]
    fn the_same_approver_counts_once() {
        let g = gate(2, &[("alice", Choice::Approve), ("alice", Choice::Approve)]);
        assert_eq!(g.approvers(), vec!["alice"]);
        assert_eq!(g.remaining(), 1);
        let g = gate(2, &[("alice", Choice::Approve), ("bob", Choice::Approve)]);
        assert_eq!(g.remaining(), 0);
        assert!(g.approved_by("bob").is_some());
        assert!(g.approved_by("carol").is_none());
    }

    #[test]
    fn expiry_fails_closed_at_the_deadline_exactly() {
        let mut g = gate(1, &[]);
        assert_eq!(g.expiry(t(9, 59)), None);
        assert_eq!(g.expiry(t(10, 0)), Some(GateStatus::Expired));
        assert_eq!(g.expiry(t(23, 0)), Some(GateStatus::Expired));
        g.on_timeout = OnTimeout::Cancel;
        assert_eq!(g.expiry(t(10, 0)), Some(GateStatus::Cancelled));
        for closed in &GateStatus::ALL[1..] {
            g.status = *closed;
            assert_eq!(
                g.expiry(t(23, 0)),
                None,
                "{closed} gates do not expire again"
            );
        }
    }

    #[test]
    fn waiting_for_names_who_is_left() {
        let a = authority(Priority::Normal, &["alice", "bob", "carol"], "x");
        let g = gate(2, &[("alice", Choice::Approve)]);
        assert_eq!(g.waiting_for(&a), "1 more approval from bob or carol");
        let g = gate(3, &[]);
        assert_eq!(
            g.waiting_for(&a),
            "3 more approvals from alice, bob or carol"
        );
        let a = authority(Priority::Normal, &["alice"], "x");
        assert_eq!(gate(1, &[]).waiting_for(&a), "1 more approval from alice");
        let a = authority(Priority::Critical, &["alice"], "alice");
        assert_eq!(
            gate(1, &[]).waiting_for(&a),
            "1 more approval from nobody who may decide now"
        );
    }

    #[test]
    fn waiting_for_anyone_excludes_the_starter_when_self_approval_is_off() {
        let a = authority(Priority::Normal, &[], "alice");
        assert_eq!(gate(1, &[]).waiting_for(&a), "1 more approval from anyone");
        assert_eq!(
            gate(2, &[("bob", Choice::Approve)]).waiting_for(&a),
            "1 more approval from anyone but bob"
        );
        let a = authority(Priority::High, &[], "alice");
        assert_eq!(
            gate(2, &[("bob", Choice::Approve)]).waiting_for(&a),
            "1 more approval from anyone but alice, bob"
        );
    }
}
