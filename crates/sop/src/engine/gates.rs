//! Where the engine meets approval gates: which steps are gated, and opening a gate.
//!
//! The engine asks the plan whether a step needs a gate and, when the machine says
//! `AwaitGate`, opens one here in the same transaction. Deciding a gate (approve, reject,
//! expire) belongs to the approval commands, which then hand the run back to the engine.

use super::Engine;
use super::tracked::Tracked;
use crate::exit::Fail;
use chrono::{DateTime, Utc};
use serde_json::json;
use sop_core::definition::{OnTimeout, Sop};
use sop_core::gate::{GatePlan, PriorityModes, gate_label};
use sop_store::{AuditEvent, Gate, GateTimeoutAction, NewGate, Tx};

/// The gates a run of `sop` opens under this process's `priority_based` mapping.
pub fn plan(eng: &Engine, sop: &Sop) -> GatePlan {
    GatePlan::for_sop(sop, &eng.modes)
}

/// `SOP_PRIORITY_MODES` (e.g. `critical=auto,high=auto,normal=supervised,low=supervised`), else
/// the spec's mapping.
pub fn priority_modes() -> anyhow::Result<PriorityModes> {
    match std::env::var("SOP_PRIORITY_MODES") {
        Ok(text) if !text.trim().is_empty() => text
            .parse::<PriorityModes>()
            .map_err(|e| Fail::invalid(format!("SOP_PRIORITY_MODES: {e}"))),
        _ => Ok(PriorityModes::default()),
    }
}

/// Opens the gate before `step` (0 = before the run starts) and audits it.
pub fn open(
    tx: &mut dyn Tx,
    eng: &Engine,
    t: &Tracked,
    step: u32,
    now: DateTime<Utc>,
) -> sop_store::Result<Gate> {
    let meta = &t.sop.meta;
    let gate = tx.insert_gate(&NewGate {
        run_id: t.id().to_string(),
        step,
        opened_at: now,
        expires_at: Some(now + meta.approval_timeout.as_chrono()),
        approvers: meta.approvers.clone(),
        min_approvals: meta.min_approvals.max(1),
        on_timeout: match meta.on_timeout {
            OnTimeout::Expire => GateTimeoutAction::Expire,
            OnTimeout::Cancel => GateTimeoutAction::Cancel,
        },
    })?;
    let tokens = crate::approval::issue::issue_tokens(tx, eng, t, &gate, now)?;
    tx.audit(&AuditEvent::new(
        now,
        Some(t.id()),
        eng.actor.as_str(),
        "gate.opened",
        json!({
            "gate": gate.id,
            "step": step,
            "label": gate_label(step),
            "expires_at": gate.expires_at,
            "approvers": gate.approvers,
            "min_approvals": gate.min_approvals,
            "tokens": tokens,
        }),
    ))?;
    Ok(gate)
}
