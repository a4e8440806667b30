//! The one rule for a decision on a gate: state, deadline, authority, then quorum.

use super::authority::Authority;
use super::choice::Choice;
use super::gate_error::GateError;
use super::gate_status::GateStatus;
use super::gate_view::GateView;
use crate::run::RunStatus;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One person's decision, as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    pub actor: String,
    pub choice: Choice,
}

/// What a counted decision does to the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum GateOutcome {
    /// Counted; the gate stays open for `remaining` more approvals.
    Counted {
        approvers: Vec<String>,
        remaining: u32,
    },
    /// Quorum reached: the run goes on.
    Approved { approvers: Vec<String> },
    /// One rejection rejects: nothing after the gate runs.
    Rejected { by: String },
}

impl GateOutcome {
    pub fn gate_status(&self) -> GateStatus {
        match self {
            GateOutcome::Counted { .. } => GateStatus::Open,
            GateOutcome::Approved { .. } => GateStatus::Approved,
            GateOutcome::Rejected { .. } => GateStatus::Rejected,
        }
    }

    /// The gate is decided and its tokens die.
    pub fn closes(&self) -> bool {
        !matches!(self, GateOutcome::Counted { .. })
    }
}

/// Counts `vote` on `gate` at `now`, given who may decide at that instant.
///
/// Refusals, in the order they are checked: the gate is not open (its real state); the deadline
/// has passed (`Expired`, carrying what the caller must record: the gate fails closed); the actor
/// may not decide; the actor already decided (a person decides a gate once, so an approval can
/// neither be counted twice nor turned into a rejection). One rejection rejects at once.
pub fn count_vote(
    gate: &GateView,
    authority: &Authority,
    vote: &Vote,
    now: DateTime<Utc>,
) -> Result<GateOutcome, GateError> {
    if !gate.status.is_open() {
        return Err(GateError::NotOpen {
            step: gate.step,
            status: gate.status,
        });
    }
    if let Some(closes_as) = gate.expiry(now) {
        return Err(GateError::Expired {
            step: gate.step,
            deadline: gate.expires_at,
            closes_as,
        });
    }
    authority.check(&vote.actor)?;
    if let Some(earlier) = gate.approved_by(&vote.actor) {
        return Err(GateError::AlreadyApproved {
            actor: vote.actor.clone(),
            step: gate.step,
            at: earlier.at,
            remaining: gate.remaining(),
            attempted: vote.choice,
        });
    }
    if vote.choice == Choice::Reject {
        return Ok(GateOutcome::Rejected {
            by: vote.actor.clone(),
        });
    }
    let mut approvers: Vec<String> = gate.approvers().into_iter().map(String::from).collect();
    approvers.push(vote.actor.clone());
    let remaining = gate
        .min_approvals
        .max(1)
        .saturating_sub(approvers.len() as u32);
    Ok(if remaining == 0 {
        GateOutcome::Approved { approvers }
    } else {
        GateOutcome::Counted {
            approvers,
            remaining,
        }
    })
}

/// The gate a command means: the one before `step` if given (whatever its state, so a refusal
/// can name it), else the run's open gate, else its latest gate (again for the refusal).
/// `planned` are the steps the run's plan gates, so a gate not reached yet is told apart from
/// one the run never has.
pub fn select_gate<'g>(
    gates: &'g [GateView],
    step: Option<u32>,
    run_status: RunStatus,
    planned: &[u32],
) -> Result<&'g GateView, GateError> {
    let open = gates.iter().find(|g| g.status.is_open());
    match step {
        Some(n) => gates.iter().rev().find(|g| g.step == n).ok_or_else(|| {
            let open = open.map(|g| g.step);
            if planned.contains(&n) {
                GateError::NotReached { step: n, open }
            } else {
                GateError::NoSuchGate { step: n, open }
            }
        }),
        None => open
            .or_else(|| gates.iter().max_by_key(|g| (g.opened_at, g.step)))
            .ok_or(GateError::NoOpenGate { run_status }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::gate_view::tests::{authority, gate, t};
    use super::*;
    use crate::Priority;
    use crate::definition::OnTimeout;
    use Choice::{Approve, Reject};

    fn d(actor: &str, choice: Choice) -> Vote {
        Vote {
            actor: actor.into(),
            choice,
        }
    }

    fn anyone() -> Authority {
        authority(Priority::Normal, &[], "starter")
    }

    #[test]
    fn one_approval_approves_a_default_gate() {
        let out = count_vote(&gate(1, &[]), &anyone(), &d("alice", Approve), t(9, 5)).unwrap();
        assert_eq!(
            out,
            GateOutcome::Approved {
                approvers: vec!["alice".into()]
            }
        );
        assert!(out.closes());
        assert_eq!(out.gate_status(), GateStatus::Approved);
    }

    #[test]
    fn quorum_needs_distinct_approvers() {
        let a = authority(Priority::Normal, &["alice", "bob", "carol"], "x");
        let g = gate(2, &[]);
        let out = count_vote(&g, &a, &d("alice", Approve), t(9, 5)).unwrap();
        assert_eq!(
            out,
            GateOutcome::Counted {
                approvers: vec!["alice".into()],
                remaining: 1
            }
        );
        assert!(!out.closes());
        assert_eq!(out.gate_status(), GateStatus::Open);

        let g = gate(2, &[("alice", Approve)]);
        let err = count_vote(&g, &a, &d("alice", Approve), t(9, 5)).unwrap_err();
        assert!(
            matches!(err, GateError::AlreadyApproved { ref actor, remaining: 1, .. } if actor == "alice"),
            "{err:?}"
        );
        let out = count_vote(&g, &a, &d("carol", Approve), t(9, 5)).unwrap();
        assert_eq!(
            out,
            GateOutcome::Approved {
                approvers: vec!["alice".into(), "carol".into()]
            }
        );
    }

    #[test]
    fn duplicate_records_never_inflate_the_count() {
        // Even if a store ever recorded the same approver twice, they count once.
        let a = authority(Priority::Normal, &[], "x");
        let g = gate(3, &[("alice", Approve), ("alice", Approve)]);
        let out = count_vote(&g, &a, &d("bob", Approve), t(9, 5)).unwrap();
        assert_eq!(
            out,
            GateOutcome::Counted {
                approvers: vec!["alice".into(), "bob".into()],
                remaining: 1
            }
        );
    }

    #[test]
    fn one_rejection_rejects_even_after_approvals() {
        let a = authority(Priority::Normal, &["alice", "bob", "carol"], "x");
        let g = gate(3, &[("alice", Approve), ("bob", Approve)]);
        let out = count_vote(&g, &a, &d("carol", Reject), t(9, 5)).unwrap();
        assert_eq!(out, GateOutcome::Rejected { by: "carol".into() });
        assert_eq!(out.gate_status(), GateStatus::Rejected);
        assert!(out.closes());
        // A person decides once: an approval cannot be turned into a rejection.
        let err = count_vote(&g, &a, &d("alice", Reject), t(9, 5)).unwrap_err();
        assert!(
            matches!(
                err,
                GateError::AlreadyApproved {
                    attempted: Reject,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn decisions_on_a_closed_gate_are_refused_with_its_real_state() {
        for st in &GateStatus::ALL[1..] {
            let mut g = gate(1, &[]);
            g.status = *st;
            for v in [Approve, Reject] {
                let err = count_vote(&g, &anyone(), &d("alice", v), t(9, 5)).unwrap_err();
                assert_eq!(
                    err,
                    GateError::NotOpen {
                        step: 1,
                        status: *st
                    }
                );
            }
        }
    }

    #[test]
    fn at_or_after_the_deadline_nothing_is_counted() {
        let g = gate(1, &[]);
        for now in [t(10, 0), t(10, 1)] {
            for v in [Approve, Reject] {
                let err = count_vote(&g, &anyone(), &d("alice", v), now).unwrap_err();
                assert_eq!(
                    err,
                    GateError::Expired {
                        step: 1,
                        deadline: t(10, 0),
                        closes_as: GateStatus::Expired
                    }
                );
            }
        }
        let mut g = gate(1, &[]);
        g.on_timeout = OnTimeout::Cancel;
        let err = count_vote(&g, &anyone(), &d("alice", Approve), t(10, 0)).unwrap_err();
        assert!(matches!(
            err,
            GateError::Expired {
                closes_as: GateStatus::Cancelled,
                ..
            }
        ));
        assert!(count_vote(&g, &anyone(), &d("alice", Approve), t(9, 59)).is_ok());
    }

    #[test]
    fn who_may_decide_is_checked_for_approvals_and_rejections() {
        let a = authority(Priority::Critical, &["alice", "bob"], "alice");
        for v in [Approve, Reject] {
            let err = count_vote(&gate(1, &[]), &a, &d("mallory", v), t(9, 5)).unwrap_err();
            assert_eq!(
                err.to_string(),
                "mallory is not an approver of deploy-prod (approvers: alice, bob)"
            );
            let err = count_vote(&gate(1, &[]), &a, &d("alice", v), t(9, 5)).unwrap_err();
            assert_eq!(
                err.to_string(),
                "alice started this run and deploy-prod (critical) does not allow self-approval"
            );
        }
        assert!(count_vote(&gate(1, &[]), &a, &d("bob", Approve), t(9, 5)).is_ok());
    }

    fn gates() -> Vec<GateView> {
        let mut g1 = gate(1, &[]);
        g1.status = GateStatus::Approved;
        let mut g2 = gate(1, &[]);
        g2.step = 2;
        g2.opened_at = t(9, 30);
        vec![g1, g2]
    }

    #[test]
    fn select_without_step_finds_the_open_gate_or_the_latest() {
        let gs = gates();
        assert_eq!(
            select_gate(&gs, None, RunStatus::AwaitingApproval, &[1, 2])
                .unwrap()
                .step,
            2
        );
        let mut closed = gates();
        closed[1].status = GateStatus::Rejected;
        let g = select_gate(&closed, None, RunStatus::Rejected, &[1, 2]).unwrap();
        assert_eq!(g.step, 2);
        assert_eq!(
            count_vote(g, &anyone(), &d("a", Approve), t(9, 40)).unwrap_err(),
            GateError::NotOpen {
                step: 2,
                status: GateStatus::Rejected
            }
        );
        assert_eq!(
            select_gate(&[], None, RunStatus::Running, &[])
                .unwrap_err()
                .to_string(),
            "the run has no open gate (it is running)"
        );
    }

    #[test]
    fn select_with_step_names_that_gate_or_explains_where_the_open_one_is() {
        let gs = gates();
        assert_eq!(
            select_gate(&gs, Some(1), RunStatus::AwaitingApproval, &[1, 2])
                .unwrap()
                .status,
            GateStatus::Approved
        );
        assert_eq!(
            select_gate(&gs, Some(3), RunStatus::AwaitingApproval, &[1, 2]).unwrap_err(),
            GateError::NoSuchGate {
                step: 3,
                open: Some(2)
            }
        );
        assert_eq!(
            select_gate(&gs, Some(3), RunStatus::AwaitingApproval, &[1, 2, 3]).unwrap_err(),
            GateError::NotReached {
                step: 3,
                open: Some(2)
            }
        );
        assert_eq!(
            select_gate(&gs[..1], Some(3), RunStatus::Running, &[1]).unwrap_err(),
            GateError::NoSuchGate {
                step: 3,
                open: None
            }
        );
    }
}
