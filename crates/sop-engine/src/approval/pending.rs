//! The open gates and what each waits for: `sop pending`, and the lines a run awaiting approval
//! ends with.

use super::authority;
use super::expiry;
use super::settings::load_groups;
use crate::engine::{Engine, Tracked};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sop_core::gate::{GateView, Groups, gate_label};
use sop_core::{Duration, Priority};
use sop_store::Gate;

/// One open gate, as `sop pending` shows it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PendingGate {
    pub run_id: String,
    pub sop: String,
    pub priority: Priority,
    pub started_by: String,
    pub step: u32,
    pub gate: String,
    pub gate_id: String,
    pub opened_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub min_approvals: u32,
    /// Who approved so far.
    pub approvals: Vec<String>,
    pub remaining: u32,
    /// `1 more approval from bob or carol`.
    pub waiting_for: String,
    /// The `approvers` entries as written; empty = anyone.
    pub approvers: Vec<String>,
    /// Whether the person asked about (`--as`) may decide it now; absent without `--as`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub may_decide: Option<bool>,
    pub approve: String,
}

/// Every open gate (gate deadlines and run timeouts applied first), soonest deadline first. With `person`, only the
/// gates that person may decide now and has not approved yet.
pub fn list(eng: &Engine, person: Option<&str>) -> crate::Result<Vec<PendingGate>> {
    expiry::sweep(eng)?;
    crate::engine::run_deadline::sweep(eng)?;
    let groups = load_groups(eng.settings)?;
    let mut out = Vec::new();
    for gate in eng.store.open_gates()? {
        let t = Tracked::load(eng, &gate.run_id)?;
        out.extend(pending_gate(eng, &groups, &t, &gate, person)?);
    }
    Ok(out)
}

/// The open gates of one run (deadlines already applied when it was loaded), as `sop pending`
/// shows them: what `sop next --json` gives an agent about the approval a run waits for.
pub fn of_run(eng: &Engine, t: &Tracked) -> crate::Result<Vec<PendingGate>> {
    let groups = load_groups(eng.settings)?;
    let mut out = Vec::new();
    for gate in t.gates.iter().filter(|g| g.status.is_open()) {
        out.extend(pending_gate(eng, &groups, t, gate, None)?);
    }
    Ok(out)
}

/// One open gate of `t`; `None` when `person` is given and may not decide it now.
fn pending_gate(
    eng: &Engine,
    groups: &Groups,
    t: &Tracked,
    gate: &Gate,
    person: Option<&str>,
) -> crate::Result<Option<PendingGate>> {
    let now = eng.clock.now();
    let decisions = eng.store.decisions(&gate.id)?;
    let view = authority::view(gate, &decisions);
    let policy = authority::policy(&t.sop);
    let who = authority::authority(eng.settings, groups, &policy, &t.run.started_by, now)?;
    let may_decide = person.map(|p| who.may_decide(p) && view.approved_by(p).is_none());
    if may_decide == Some(false) {
        return Ok(None);
    }
    Ok(Some(PendingGate {
        run_id: t.run.id.clone(),
        sop: t.run.sop_name.clone(),
        priority: t.sop.meta.priority,
        started_by: t.run.started_by.clone(),
        step: gate.step,
        gate: gate_label(gate.step),
        gate_id: gate.id.clone(),
        opened_at: gate.opened_at,
        expires_at: view.expires_at,
        min_approvals: view.min_approvals,
        approvals: view.approvers().into_iter().map(String::from).collect(),
        remaining: view.remaining(),
        waiting_for: view.waiting_for(&who),
        approvers: gate.approvers.clone(),
        may_decide,
        approve: format!("sop approve {} --step {}", t.run.id, gate.step),
    }))
}

/// The text block of one pending gate.
pub fn describe(p: &PendingGate, now: DateTime<Utc>) -> String {
    let mut out = format!(
        "{} {} ({}), started by {}\n",
        p.run_id, p.sop, p.priority, p.started_by
    );
    out.push_str(&format!(
        "  gate:      {} (opened {})\n",
        p.gate.trim_start_matches("the gate "),
        ts(p.opened_at)
    ));
    out.push_str(&format!("  waits for: {}", p.waiting_for));
    if !p.approvals.is_empty() {
        out.push_str(&format!(" (approved by {})", p.approvals.join(", ")));
    }
    out.push('\n');
    out.push_str(&format!(
        "  expires:   {} ({})\n",
        ts(p.expires_at),
        left(p.expires_at, now)
    ));
    out.push_str(&format!("  approve:   {}\n", p.approve));
    out
}

/// What a run awaiting approval ends its output with: which gate, who decides, by when, and the
/// commands to decide it.
pub fn how_to_approve(t: &Tracked) -> String {
    let id = t.id();
    let Some(gate) = t.gates.iter().rev().find(|g| g.status.is_open()) else {
        return format!("⏸ run {id} awaits approval\n  sop pending    shows what it waits for");
    };
    let view: GateView = authority::view(gate, &[]);
    let starter = t.run.started_by.as_str();
    let excluded = !authority::policy(&t.sop).self_approval;
    let who = if gate.approvers.is_empty() {
        if excluded {
            format!("anyone but {starter}, who started the run")
        } else {
            "anyone".to_string()
        }
    } else {
        let others: Vec<&str> = gate
            .approvers
            .iter()
            .map(String::as_str)
            .filter(|a| !excluded || *a != starter)
            .collect();
        let may_include_starter =
            others.len() < gate.approvers.len() || others.iter().any(|a| a.starts_with('@'));
        if excluded && may_include_starter {
            format!("{} (not {starter}, who started the run)", others.join(", "))
        } else {
            others.join(", ")
        }
    };
    let n = view.min_approvals.max(1);
    format!(
        "⏸ run {id} awaits approval: {}\n  needs {n} approval{} from {who} by {}\n  sop approve {id} --step {step}    approves it\n  sop reject {id} --step {step} --comment TEXT    rejects it",
        gate_label(gate.step),
        if n == 1 { "" } else { "s" },
        ts(view.expires_at),
        step = gate.step,
    )
}

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `in 23h59m`, or `due now` once the deadline is reached.
fn left(deadline: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match (deadline - now).to_std() {
        Ok(d) if !d.is_zero() => format!("in {}", Duration::from_secs(d.as_secs().max(1))),
        _ => "due now".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn time_left_reads_naturally() {
        let now = Utc.with_ymd_and_hms(2026, 1, 31, 9, 0, 0).unwrap();
        let later = Utc.with_ymd_and_hms(2026, 2, 1, 8, 59, 0).unwrap();
        assert_eq!(left(later, now), "in 23h59m");
        assert_eq!(left(now, now), "due now");
        assert_eq!(left(now, later), "due now");
    }
}
