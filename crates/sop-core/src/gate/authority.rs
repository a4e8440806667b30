//! Who may decide a run's gates at one instant: the SOP's approvers resolved against who is on
//! call and the groups at that instant, minus the run's starter when self-approval is off.

use super::approver::Approver;
use super::gate_error::GateError;
use super::groups::Groups;
use super::policy::GatePolicy;
use crate::Priority;
use std::collections::BTreeSet;

/// Who is who at the instant of the question; gathered by the caller (on-call rotations are
/// computed from the clock, groups are read from configuration).
#[derive(Debug, Clone, Copy)]
pub struct Roster<'a> {
    /// Everyone on call at that instant (several rotations may cover it); empty = nobody.
    pub on_call: &'a [String],
    pub groups: &'a Groups,
}

/// The answer to "may this person decide this run's gates now?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    sop: String,
    priority: Priority,
    anyone: bool,
    /// Everyone the approvers list names right now (before the self-approval rule).
    named: BTreeSet<String>,
    /// The approvers entries with what each resolved to, for refusals and `sop pending`.
    described: String,
    starter: String,
    self_approval: bool,
}

impl Authority {
    pub fn new(policy: &GatePolicy, roster: Roster<'_>, starter: &str) -> Self {
        let mut named = BTreeSet::new();
        let mut described = Vec::new();
        for approver in &policy.approvers {
            match approver {
                Approver::User(u) => {
                    named.insert(u.clone());
                    described.push(u.clone());
                }
                Approver::OnCall => {
                    named.extend(roster.on_call.iter().cloned());
                    described.push(if roster.on_call.is_empty() {
                        format!("{approver} (nobody on call)")
                    } else {
                        format!("{approver} (now {})", roster.on_call.join(", "))
                    });
                }
                Approver::Group(g) => match roster.groups.members(g) {
                    Some(members) => {
                        named.extend(members.iter().cloned());
                        let list: Vec<&str> = members.iter().map(String::as_str).collect();
                        described.push(if list.is_empty() {
                            format!("{approver} (empty)")
                        } else {
                            format!("{approver} ({})", list.join(", "))
                        });
                    }
                    None => described.push(format!("{approver} (no such group)")),
                },
            }
        }
        Authority {
            sop: policy.sop.clone(),
            priority: policy.priority,
            anyone: policy.approvers.is_empty(),
            named,
            described: if described.is_empty() {
                "anyone".to_string()
            } else {
                described.join(", ")
            },
            starter: starter.to_string(),
            self_approval: policy.self_approval,
        }
    }

    /// No approvers list: anyone may decide (still subject to the self-approval rule).
    pub fn anyone(&self) -> bool {
        self.anyone
    }

    pub fn starter(&self) -> &str {
        &self.starter
    }

    /// `alice, @oncall (now carol), @ops (bob, dave)`, or `anyone`.
    pub fn describe(&self) -> &str {
        &self.described
    }

    /// The people who may decide right now, by name; empty when [`Self::anyone`] is true.
    pub fn eligible(&self) -> impl Iterator<Item = &str> {
        self.named
            .iter()
            .map(String::as_str)
            .filter(|p| self.self_approval || *p != self.starter)
    }

    /// Whether the approvers list names `actor` right now (ignoring the self-approval rule).
    pub fn names(&self, actor: &str) -> bool {
        self.anyone || self.named.contains(actor)
    }

    /// Both rules: `actor` is an approver, and is not the starter when self-approval is off.
    pub fn check(&self, actor: &str) -> Result<(), GateError> {
        if !self.names(actor) {
            return Err(GateError::NotAnApprover {
                actor: actor.to_string(),
                sop: self.sop.clone(),
                approvers: self.described.clone(),
            });
        }
        self.check_self(actor)
    }

    /// Only the self-approval rule; used when a token bound to `actor` already proves the rest.
    pub fn check_self(&self, actor: &str) -> Result<(), GateError> {
        if !self.self_approval && actor == self.starter {
            return Err(GateError::SelfApproval {
                actor: actor.to_string(),
                sop: self.sop.clone(),
                priority: self.priority,
            });
        }
        Ok(())
    }

    pub fn may_decide(&self, actor: &str) -> bool {
        self.check(actor).is_ok()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::policy::tests::meta;
    use super::*;

    /// The authority of an SOP with `priority` and `approvers`, `on_call` and `groups` being
    /// who is who, for a run `starter` started.
    pub(crate) fn authority_in(
        priority: Priority,
        approvers: &[&str],
        on_call: &[&str],
        groups: &Groups,
        starter: &str,
    ) -> Authority {
        let policy = GatePolicy::from_meta(&meta(priority, approvers)).unwrap();
        let on_call: Vec<String> = on_call.iter().map(|s| s.to_string()).collect();
        Authority::new(
            &policy,
            Roster {
                on_call: &on_call,
                groups,
            },
            starter,
        )
    }

    fn authority(
        priority: Priority,
        approvers: &[&str],
        on_call: &[&str],
        starter: &str,
    ) -> Authority {
        let groups = Groups::new()
            .with("ops", ["alice", "bob"])
            .with("dba", ["carol"])
            .with("nobody", Vec::<String>::new());
        authority_in(priority, approvers, on_call, &groups, starter)
    }

    #[test]
    fn an_empty_list_lets_anyone_decide() {
        let a = authority(Priority::Normal, &[], &[], "alice");
        assert!(a.anyone());
        assert_eq!(a.describe(), "anyone");
        assert!(a.check("zed").is_ok());
        assert!(a.check("alice").is_ok(), "normal SOPs allow self-approval");
        assert_eq!(a.eligible().count(), 0);
    }

    #[test]
    fn named_users_groups_and_on_call_resolve_at_the_instant() {
        let a = authority(
            Priority::Normal,
            &["erin", "@oncall", "@dba"],
            &["frank"],
            "x",
        );
        for ok in ["erin", "frank", "carol"] {
            assert!(a.check(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            a.check("bob").unwrap_err().to_string(),
            "bob is not an approver of deploy-prod (approvers: erin, @oncall (now frank), @dba (carol))"
        );
        assert_eq!(
            a.eligible().collect::<Vec<_>>(),
            vec!["carol", "erin", "frank"]
        );

        let later = authority(
            Priority::Normal,
            &["erin", "@oncall", "@dba"],
            &["gina"],
            "x",
        );
        assert!(later.check("frank").is_err(), "frank's shift ended");
        assert!(later.check("gina").is_ok());
    }

    #[test]
    fn unknown_and_empty_groups_and_an_empty_rota_name_nobody() {
        let a = authority(
            Priority::Normal,
            &["@ghosts", "@nobody", "@oncall"],
            &[],
            "x",
        );
        assert!(!a.anyone());
        assert_eq!(a.eligible().count(), 0);
        assert_eq!(
            a.check("alice").unwrap_err().to_string(),
            "alice is not an approver of deploy-prod (approvers: @ghosts (no such group), @nobody (empty), @oncall (nobody on call))"
        );
    }

    #[test]
    fn user_names_are_compared_exactly() {
        let a = authority(Priority::Normal, &["alice"], &[], "x");
        assert!(a.check("Alice").is_err());
        assert!(a.check("alice ").is_err());
    }

    #[test]
    fn the_starter_cannot_decide_a_critical_sop_even_as_an_approver() {
        let a = authority(Priority::Critical, &["@ops"], &[], "alice");
        assert_eq!(
            a.check("alice").unwrap_err().to_string(),
            "alice started this run and deploy-prod (critical) does not allow self-approval"
        );
        assert!(a.check("bob").is_ok());
        assert_eq!(a.eligible().collect::<Vec<_>>(), vec!["bob"]);
        // Being no approver at all is the first thing said.
        let a = authority(Priority::Critical, &["bob"], &[], "alice");
        assert!(matches!(
            a.check("alice"),
            Err(GateError::NotAnApprover { .. })
        ));
        assert!(matches!(
            a.check_self("alice"),
            Err(GateError::SelfApproval { .. })
        ));
    }

    #[test]
    fn self_approval_rule_applies_to_open_gates_too() {
        let a = authority(Priority::High, &[], &[], "alice");
        assert!(matches!(
            a.check("alice"),
            Err(GateError::SelfApproval { .. })
        ));
        assert!(a.may_decide("bob"));
        let a = authority(Priority::Low, &["alice"], &[], "alice");
        assert!(a.may_decide("alice"));
    }
}
