//! What `sop show`, `sop check` and `sop execute --dry-run` say about approvals: the resolved
//! mode, the gates a run opens, who decides them, and problems no run could get past.

use super::settings::ApprovalSettings;
use serde_json::{Value, json};
use sop_core::definition::Sop;
use sop_core::gate::{GatePlan, GatePolicy};

/// The plan of `sop` under these settings.
pub fn plan(sop: &Sop, settings: &ApprovalSettings) -> GatePlan {
    GatePlan::for_sop(sop, &settings.modes)
}

/// Text lines: `mode: …`, `gates: …`, and when any gate opens, `approvals: …` (who, how many,
/// deadline, self-approval).
pub fn describe(sop: &Sop, settings: &ApprovalSettings) -> String {
    let plan = plan(sop, settings);
    let mut out = plan.to_string();
    if !plan.gates.is_empty() {
        out.push('\n');
        out.push_str(&who_decides(sop));
    }
    out
}

/// `approvals: 2 of alice, bob, @oncall; expire after 24h; no self-approval`.
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
        sop_core::definition::OnTimeout::Expire => "expire",
        sop_core::definition::OnTimeout::Cancel => "cancel",
    };
    format!(
        "approvals: {} of {approvers}; {on_timeout} after {}; {}",
        meta.min_approvals.max(1),
        meta.approval_timeout,
        if self_approval {
            "self-approval allowed"
        } else {
            "no self-approval"
        }
    )
}

/// The plan as JSON, for `--json` outputs.
pub fn to_json(sop: &Sop, settings: &ApprovalSettings) -> Value {
    let plan = plan(sop, settings);
    let meta = &sop.meta;
    json!({
        "mode": plan.resolution.mode,
        "declared_mode": plan.resolution.declared,
        "gates": plan.gates,
        "approvers": meta.approvers,
        "min_approvals": meta.min_approvals.max(1),
        "approval_timeout": meta.approval_timeout,
        "allow_self_approval": meta
            .allow_self_approval
            .unwrap_or_else(|| GatePolicy::default_self_approval(meta.priority)),
        "on_timeout": meta.on_timeout,
    })
}

/// Problems that would stop every gate of this SOP from ever being approved, or approvers that
/// name nothing: malformed entries, an unreachable quorum, unknown groups.
pub fn problems(sop: &Sop, settings: &ApprovalSettings) -> Vec<String> {
    let policy = match GatePolicy::from_meta(&sop.meta) {
        Ok(p) => p,
        Err(errors) => return errors.iter().map(|e| e.to_string()).collect(),
    };
    let mut out = Vec::new();
    if plan(sop, settings).gates.is_empty() {
        return out;
    }
    if let Some(p) = policy.unreachable_quorum() {
        out.push(p);
    }
    for a in &policy.approvers {
        if let sop_core::gate::Approver::Group(g) = a
            && !settings.groups.contains_group(g)
        {
            out.push(format!(
                "approver `@{g}` names no group; declare it in SOP_GROUPS or the groups file"
            ));
        }
    }
    out
}
