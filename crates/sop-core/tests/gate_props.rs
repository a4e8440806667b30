//! Properties of gate decisions over arbitrary sequences: the same approver counts once, one
//! rejection rejects, nothing is approved at or after the deadline, closed gates never change.

use chrono::{DateTime, Duration as ChronoDuration, TimeZone, Utc};
use proptest::prelude::*;
use sop_core::definition::{OnTimeout, SopMeta};
use sop_core::gate::{
    Authority, Choice, DecisionRecord, GateError, GateOutcome, GatePolicy, GateStatus, GateView,
    Groups, Roster, Vote, count_vote,
};
use sop_core::{Duration, ExecutionMode, Priority};

const PEOPLE: [&str; 5] = ["alice", "bob", "carol", "dave", "erin"];

fn opened() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 31, 9, 0, 0).unwrap()
}

fn policy(approvers: &[&str], min: u32, priority: Priority, on_timeout: OnTimeout) -> GatePolicy {
    GatePolicy::from_meta(&SopMeta {
        name: "deploy-prod".into(),
        description: String::new(),
        version: None,
        author: None,
        priority,
        execution_mode: ExecutionMode::Supervised,
        icon: None,
        approval_timeout: Duration::from_secs(3_600),
        concurrency: None,
        on_limit: Default::default(),
        approvers: approvers.iter().map(|s| s.to_string()).collect(),
        min_approvals: min,
        allow_self_approval: None,
        on_timeout,
        run_timeout: None,
        step_timeout: None,
        workdir: None,
        approval_auth: Default::default(),
        approval_channel: None,
        notify_on: None,
    })
    .unwrap()
}

fn arb_step() -> impl Strategy<Value = (usize, bool, i64)> {
    // (who, approve?, minutes after opening; the deadline is minute 60)
    (0..PEOPLE.len(), prop::bool::weighted(0.8), 0i64..90)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn decisions_respect_quorum_deadline_and_finality(
        approver_mask in 0u8..32,
        min in 1u32..4,
        critical in any::<bool>(),
        cancel_on_timeout in any::<bool>(),
        mut steps in prop::collection::vec(arb_step(), 0..12),
    ) {
        steps.sort_by_key(|s| s.2);
        let approvers: Vec<&str> = PEOPLE
            .iter()
            .enumerate()
            .filter(|(i, _)| approver_mask & (1 << i) != 0)
            .map(|(_, p)| *p)
            .collect();
        let priority = if critical { Priority::Critical } else { Priority::Normal };
        let on_timeout = if cancel_on_timeout { OnTimeout::Cancel } else { OnTimeout::Expire };
        let policy = policy(&approvers, min, priority, on_timeout);
        let groups = Groups::new();
        let authority = Authority::new(&policy, Roster { on_call: &[], groups: &groups }, "alice");
        let mut gate = GateView {
            run_id: "r".into(),
            step: 1,
            status: GateStatus::Open,
            opened_at: opened(),
            expires_at: opened() + ChronoDuration::minutes(60),
            min_approvals: policy.min_approvals,
            on_timeout,
            decisions: Vec::new(),
        };
        for (who, approve, minute) in steps {
            let now = opened() + ChronoDuration::minutes(minute);
            let actor = PEOPLE[who];
            let choice = if approve { Choice::Approve } else { Choice::Reject };
            let before = gate.clone();
            let result = count_vote(&gate, &authority, &Vote { actor: actor.into(), choice }, now);
            match result {
                Ok(outcome) => {
                    prop_assert!(before.status.is_open());
                    prop_assert!(now < gate.expires_at, "counted at or after the deadline");
                    prop_assert!(authority.may_decide(actor));
                    gate.decisions.push(DecisionRecord { actor: actor.into(), choice, at: now });
                    match outcome {
                        GateOutcome::Counted { ref approvers, remaining } => {
                            prop_assert!(approve);
                            prop_assert_eq!(approvers.len() as u32 + remaining, min);
                        }
                        GateOutcome::Approved { ref approvers } => {
                            prop_assert!(approve);
                            prop_assert_eq!(approvers.len() as u32, min);
                            let mut distinct = approvers.clone();
                            distinct.sort();
                            distinct.dedup();
                            prop_assert_eq!(distinct.len(), approvers.len());
                        }
                        GateOutcome::Rejected { ref by } => {
                            prop_assert!(!approve);
                            prop_assert_eq!(by.as_str(), actor);
                        }
                    }
                    gate.status = outcome.gate_status();
                }
                Err(GateError::NotOpen { status, .. }) => {
                    prop_assert!(!before.status.is_open());
                    prop_assert_eq!(status, before.status);
                }
                Err(GateError::Expired { closes_as, .. }) => {
                    prop_assert!(now >= gate.expires_at);
                    prop_assert_eq!(
                        closes_as,
                        if cancel_on_timeout { GateStatus::Cancelled } else { GateStatus::Expired }
                    );
                    gate.status = closes_as;
                }
                Err(GateError::NotAnApprover { .. }) => {
                    prop_assert!(!approvers.is_empty() && !approvers.contains(&actor));
                }
                Err(GateError::SelfApproval { .. }) => {
                    prop_assert!(critical && actor == "alice");
                }
                Err(GateError::AlreadyApproved { .. }) => {
                    prop_assert!(gate.approved_by(actor).is_some());
                }
                Err(other) => prop_assert!(false, "unexpected refusal {other:?}"),
            }
            // Nothing but an open gate ever changes.
            if !before.status.is_open() {
                prop_assert_eq!(&gate, &before);
            }
            // Each approver is recorded at most once.
            let approvals: Vec<&str> = gate
                .decisions
                .iter()
                .filter(|d| d.choice == Choice::Approve)
                .map(|d| d.actor.as_str())
                .collect();
            let mut distinct = approvals.clone();
            distinct.sort();
            distinct.dedup();
            prop_assert_eq!(distinct.len(), approvals.len());
        }
        if gate.status == GateStatus::Approved {
            prop_assert!(gate.decisions.iter().all(|d| d.at < gate.expires_at));
            prop_assert!(gate.approvers().len() as u32 >= min);
        }
    }
}
