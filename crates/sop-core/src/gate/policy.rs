//! The approval rules an SOP declares in `[sop]`, validated: approvers, quorum, self-approval,
//! deadline and what happens at the deadline.

use super::approver::{Approver, ApproverError};
use crate::definition::{OnTimeout, SopMeta};
use crate::{Duration, Priority};
use serde::Serialize;

/// The gate rules of one SOP, as the run's snapshot declares them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatePolicy {
    pub sop: String,
    pub priority: Priority,
    /// Empty = anyone may decide.
    pub approvers: Vec<Approver>,
    /// Distinct approvals a gate needs; at least 1.
    pub min_approvals: u32,
    /// Whether the person who started a run may decide its gates.
    pub self_approval: bool,
    pub on_timeout: OnTimeout,
    /// How long a gate stays open.
    pub timeout: Duration,
}

impl GatePolicy {
    /// The default when `allow_self_approval` is absent: forbidden for high and critical SOPs,
    /// where a second pair of eyes is the point of the gate.
    pub fn default_self_approval(priority: Priority) -> bool {
        priority < Priority::High
    }

    /// Every malformed `approvers` entry is reported, not just the first.
    pub fn from_meta(meta: &SopMeta) -> Result<GatePolicy, Vec<ApproverError>> {
        let mut approvers = Vec::new();
        let mut errors = Vec::new();
        for entry in &meta.approvers {
            match entry.parse::<Approver>() {
                Ok(a) if !approvers.contains(&a) => approvers.push(a),
                Ok(_) => {}
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self::with_approvers(meta, approvers))
    }

    /// The rules `meta` declares, with `approvers` as the already-parsed approvers list.
    pub fn with_approvers(meta: &SopMeta, approvers: Vec<Approver>) -> GatePolicy {
        GatePolicy {
            sop: meta.name.clone(),
            priority: meta.priority,
            approvers,
            min_approvals: meta.min_approvals.max(1),
            self_approval: meta
                .allow_self_approval
                .unwrap_or_else(|| Self::default_self_approval(meta.priority)),
            on_timeout: meta.on_timeout,
            timeout: meta.approval_timeout,
        }
    }

    pub fn anyone_may_decide(&self) -> bool {
        self.approvers.is_empty()
    }

    /// A quorum that no set of people could ever meet, for `sop check` to report. Only knowable
    /// when every approver is a named user: groups and on-call change over time.
    pub fn unreachable_quorum(&self) -> Option<String> {
        if self.approvers.is_empty()
            || self
                .approvers
                .iter()
                .any(|a| !matches!(a, Approver::User(_)))
        {
            return None;
        }
        let named = self.approvers.len() as u32;
        (named < self.min_approvals).then(|| {
            format!(
                "min_approvals = {} but only {named} approver{} named; no gate of {} could ever be approved",
                self.min_approvals,
                if named == 1 { " is" } else { "s are" },
                self.sop
            )
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ExecutionMode;

    pub(crate) fn meta(priority: Priority, approvers: &[&str]) -> SopMeta {
        SopMeta {
            name: "deploy-prod".into(),
            description: String::new(),
            version: None,
            author: None,
            priority,
            execution_mode: ExecutionMode::Supervised,
            icon: None,
            approval_timeout: Duration::from_secs(86_400),
            concurrency: None,
            on_limit: Default::default(),
            approvers: approvers.iter().map(|s| s.to_string()).collect(),
            min_approvals: 1,
            allow_self_approval: None,
            on_timeout: OnTimeout::Expire,
            run_timeout: None,
            step_timeout: None,
            workdir: None,
            approval_auth: Default::default(),
            approval_channel: None,
            notify_on: None,
        }
    }

    #[test]
    fn self_approval_defaults_to_false_for_high_and_critical_only() {
        for (p, allowed) in [
            (Priority::Low, true),
            (Priority::Normal, true),
            (Priority::High, false),
            (Priority::Critical, false),
        ] {
            let policy = GatePolicy::from_meta(&meta(p, &[])).unwrap();
            assert_eq!(policy.self_approval, allowed, "{p}");
        }
        let mut m = meta(Priority::Critical, &[]);
        m.allow_self_approval = Some(true);
        assert!(GatePolicy::from_meta(&m).unwrap().self_approval);
        let mut m = meta(Priority::Low, &[]);
        m.allow_self_approval = Some(false);
        assert!(!GatePolicy::from_meta(&m).unwrap().self_approval);
    }

    #[test]
    fn approvers_are_parsed_deduplicated_and_every_bad_one_reported() {
        let p =
            GatePolicy::from_meta(&meta(Priority::Normal, &["alice", "@oncall", "alice"])).unwrap();
        assert_eq!(
            p.approvers,
            vec![Approver::User("alice".into()), Approver::OnCall]
        );
        let errs =
            GatePolicy::from_meta(&meta(Priority::Normal, &["alice", "@", "b c"])).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].entry, "@");
        assert_eq!(errs[1].entry, "b c");
    }

    #[test]
    fn min_approvals_is_at_least_one() {
        let mut m = meta(Priority::Normal, &[]);
        m.min_approvals = 0;
        assert_eq!(GatePolicy::from_meta(&m).unwrap().min_approvals, 1);
    }

    #[test]
    fn an_unreachable_quorum_is_reported_only_when_knowable() {
        let mut m = meta(Priority::Normal, &["alice", "bob"]);
        m.min_approvals = 3;
        let msg = GatePolicy::from_meta(&m)
            .unwrap()
            .unreachable_quorum()
            .unwrap();
        assert_eq!(
            msg,
            "min_approvals = 3 but only 2 approvers are named; no gate of deploy-prod could ever be approved"
        );
        m.min_approvals = 2;
        assert_eq!(
            GatePolicy::from_meta(&m).unwrap().unreachable_quorum(),
            None
        );
        let mut m = meta(Priority::Normal, &["alice", "@ops"]);
        m.min_approvals = 3;
        assert_eq!(
            GatePolicy::from_meta(&m).unwrap().unreachable_quorum(),
            None
        );
        let mut m = meta(Priority::Normal, &[]);
        m.min_approvals = 5;
        assert_eq!(
            GatePolicy::from_meta(&m).unwrap().unreachable_quorum(),
            None
        );
    }
}
