//! Where the engine meets approval gates: which steps are gated, and opening a gate.
//!
//! A run's plan comes from the mode it recorded at creation (see [`super::tracked`]); when the
//! machine says `AwaitGate`, the engine opens the gate here in the same transaction. Deciding a gate (approve, reject,
//! expire) belongs to the approval commands, which then hand the run back to the engine.

use super::Engine;
use super::tracked::Tracked;
use crate::approval::outbox::IssuedToken;
use chrono::{DateTime, Utc};
use serde_json::json;
use sop_core::definition::OnTimeout;
use sop_core::gate::gate_label;
use sop_store::{AuditEvent, Gate, GateTimeoutAction, NewGate, Tx};

/// Opens the gate before `step` (0 = before the run starts) and audits it.
pub fn open(
    tx: &mut dyn Tx,
    eng: &Engine,
    t: &Tracked,
    step: u32,
    now: DateTime<Utc>,
    tokens: &mut Vec<IssuedToken>,
) -> sop_store::Result<Gate> {
    let meta = &t.sop.meta;
    let deadline = now + meta.approval_timeout.as_chrono();
    let gate = tx.insert_gate(&NewGate {
        run_id: t.id().to_string(),
        step,
        opened_at: now,
        expires_at: Some(deadline),
        remind_at: super::settings::reminder_due(now, deadline, eng.tuning.approval_reminder),
        approvers: meta.approvers.clone(),
        min_approvals: meta.min_approvals.max(1),
        on_timeout: match meta.on_timeout {
            OnTimeout::Expire => GateTimeoutAction::Expire,
            OnTimeout::Cancel => GateTimeoutAction::Cancel,
        },
    })?;
    let tokens = crate::approval::issue::issue_tokens(tx, eng, t, &gate, now, tokens)?;
    tx.audit(&eng.stamp(AuditEvent::new(
        now,
        Some(t.id()),
        eng.actor.as_str(),
        "gate.opened",
        json!({
            "gate": gate.id,
            "step": step,
            "label": gate_label(step),
            "expires_at": gate.expires_at,
            "remind_at": gate.remind_at,
            "approvers": gate.approvers,
            "min_approvals": gate.min_approvals,
            "tokens": tokens,
        }),
    )))?;
    Ok(gate)
}
