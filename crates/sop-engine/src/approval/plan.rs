//! What `sop show`, `sop check` and `sop execute --dry-run` say about approvals: the resolved
//! mode, the gates a run opens, who decides them, and approvers that name nobody.

use super::settings::ApprovalSettings;
use serde::Serialize;
use sop_core::definition::{OnTimeout, Sop};
use sop_core::gate::{Approver, GatePlan, GatePolicy, ModeResolution, PlannedGate};

/// The approval side of one SOP under this process's settings.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Summary {
    pub mode: ModeResolution,
    /// In the order a run meets them; empty in auto mode without required steps.
    pub gates: Vec<PlannedGate>,
    /// `2 of alice, bob, @oncall; expire after 24h; no self-approval` (when any gate opens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approvals: Option<String>,
    /// Approvers that cannot name anyone here (e.g. an undeclared group).
    pub warnings: Vec<String>,
}

impl Summary {
    pub fn new(sop: &Sop, settings: &ApprovalSettings) -> Self {
        let plan = GatePlan::for_sop(sop, &settings.modes);
        let approvals = (!plan.gates.is_empty()).then(|| who_decides(sop));
        let warnings = if plan.gates.is_empty() {
            Vec::new()
        } else {
            warnings(sop, settings)
        };
        Summary {
            mode: plan.resolution,
            gates: plan.gates,
            approvals,
            warnings,
        }
    }

    /// `before the run starts (supervised), before step 3 (approval = "required")` or `none`.
    pub fn gates_text(&self) -> String {
        GatePlan {
            resolution: self.mode,
            gates: self.gates.clone(),
        }
        .gates_text()
    }

    /// One line for `sop check`: `mode supervised; gates: before the run starts (supervised)`,
    /// then a `warning: …` line per approver that names nobody.
    pub fn check_lines(&self) -> Vec<String> {
        let mut out = vec![format!("mode {}; gates: {}", self.mode, self.gates_text())];
        out.extend(self.warnings.iter().map(|w| format!("warning: {w}")));
        out
    }
}

/// `2 of alice, bob, @oncall; expire after 24h; no self-approval`.
fn who_decides(sop: &Sop) -> String {
    let meta = &sop.meta;
    let approvers = if meta.approvers.is_empty() {
        "anyone".to_string()
    } else {
        meta.approvers.join(", ")
    };
    let self_approval = meta
        .allow_self_approval
        .unwrap_or_else(|| GatePolicy::default_self_approval(meta.priority));
    let on_timeout = match meta.on_timeout {
        OnTimeout::Expire => "expire",
        OnTimeout::Cancel => "cancel the run",
    };
    format!(
        "{} of {approvers}; {on_timeout} after {}; {}",
        meta.min_approvals.max(1),
        meta.approval_timeout,
        if self_approval {
            "self-approval allowed"
        } else {
            "no self-approval"
        }
    )
}

/// Group approvers that no group declares here: they can never name anyone.
fn warnings(sop: &Sop, settings: &ApprovalSettings) -> Vec<String> {
    sop.meta
        .approvers
        .iter()
        .filter_map(|a| match a.parse::<Approver>() {
            Ok(Approver::Group(g)) if !settings.groups.contains_group(&g) => Some(format!(
                "approver `@{g}` names no group; declare it in SOP_GROUPS or the groups file"
            )),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sop_core::definition::parse_named;

    fn sop(extra: &str, md: &str) -> Sop {
        let toml = format!(
            "[sop]\nname = \"demo\"\ndescription = \"d\"\n{extra}\n[[triggers]]\ntype = \"manual\"\n"
        );
        parse_named("demo", &toml, md).unwrap_or_else(|d| panic!("{d:?}"))
    }

    const TWO_STEPS: &str = "# Demo\n\n## Step 1: One\nDo it.\n\n## Step 2: Two\n<!-- sop: approval = \"required\" -->\nDo it too.\n";

    #[test]
    fn supervised_lines_name_mode_gates_and_who_decides() {
        let s = Summary::new(
            &sop(
                "priority = \"high\"\nexecution_mode = \"supervised\"\napprovers = [\"alice\", \"@ops\"]",
                TWO_STEPS,
            ),
            &ApprovalSettings::default(),
        );
        assert_eq!(
            s.check_lines(),
            vec![
                "mode supervised; gates: before the run starts (supervised), before step 2 (approval = \"required\")",
                "warning: approver `@ops` names no group; declare it in SOP_GROUPS or the groups file",
            ]
        );
        assert_eq!(
            s.approvals.as_deref(),
            Some("1 of alice, @ops; expire after 1d; no self-approval")
        );
    }

    #[test]
    fn priority_based_shows_how_the_mode_was_resolved() {
        let demo = sop(
            "priority = \"high\"\nexecution_mode = \"priority_based\"",
            TWO_STEPS,
        );
        let s = Summary::new(&demo, &ApprovalSettings::default());
        assert_eq!(s.mode.to_string(), "auto (priority_based: high → auto)");
        assert_eq!(s.gates_text(), "before step 2 (approval = \"required\")");
        let settings = ApprovalSettings {
            modes: "high=step_by_step".parse().unwrap(),
            ..ApprovalSettings::default()
        };
        let s = Summary::new(&demo, &settings);
        assert_eq!(
            s.mode.to_string(),
            "step_by_step (priority_based: high → step_by_step)"
        );
        assert_eq!(s.gates.len(), 2);
    }

    #[test]
    fn auto_without_required_steps_opens_nothing() {
        let s = Summary::new(
            &sop(
                "execution_mode = \"auto\"",
                "# Demo\n\n## Step 1: One\nDo it.\n",
            ),
            &ApprovalSettings::default(),
        );
        assert_eq!(s.check_lines(), vec!["mode auto; gates: none"]);
        assert!(s.approvals.is_none());
    }
}
