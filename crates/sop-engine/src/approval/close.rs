//! Closing gates a transition leaves behind: the gate it decides, or any gate still open when
//! the run stops waiting for approval (a cancel). Its unused tokens die with it.

use chrono::{DateTime, Utc};
use serde_json::json;
use sop_core::gate::{GateStatus, gate_label};
use sop_core::run::{Decision, RunEvent, RunStatus};
use sop_store::{AuditEvent, Gate, Tx};

/// What a gate becomes when `event` takes the run past it; `None` keeps it open.
pub fn closing_status(gate_step: u32, event: RunEvent, run_after: RunStatus) -> Option<GateStatus> {
    match event {
        RunEvent::GateApproved { step } if step == gate_step => Some(GateStatus::Approved),
        RunEvent::GateRejected { step } if step == gate_step => Some(GateStatus::Rejected),
        RunEvent::GateExpired { step, cancel } if step == gate_step => Some(if cancel {
            GateStatus::Cancelled
        } else {
            GateStatus::Expired
        }),
        _ if run_after == RunStatus::AwaitingApproval => None,
        // The run no longer waits at this gate for any other reason: nobody may decide it now.
        _ => Some(GateStatus::Cancelled),
    }
}

/// Closes the `open` gates `decision` leaves behind (in the transaction writing it), revokes
/// their tokens and audits each. Returns the gates as they now are.
pub fn close_gates(
    tx: &mut dyn Tx,
    open: &[&Gate],
    decision: &Decision,
    event: RunEvent,
    actor: &str,
    now: DateTime<Utc>,
) -> sop_store::Result<Vec<Gate>> {
    let mut closed = Vec::new();
    for gate in open.iter().filter(|g| g.status.is_open()) {
        let Some(status) = closing_status(gate.step, event, decision.status) else {
            continue;
        };
        closed.push(close(tx, gate, status, event.name(), actor, now)?);
    }
    Ok(closed)
}

/// Moves one open gate to `status` (conditionally: a gate someone else closed meanwhile is a
/// conflict), revokes its unused tokens and audits `gate.closed`.
pub fn close(
    tx: &mut dyn Tx,
    gate: &Gate,
    status: GateStatus,
    because: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> sop_store::Result<Gate> {
    let updated = tx.update_gate_status(&gate.id, GateStatus::Open, status, now)?;
    let revoked = tx.revoke_tokens(&gate.id)?;
    crate::notify::enqueue::outcome(tx, &updated, now)?;
    tx.audit(&AuditEvent::new(
        now,
        Some(&gate.run_id),
        actor,
        "gate.closed",
        json!({
            "gate": gate.id,
            "step": gate.step,
            "label": gate_label(gate.step),
            "status": status,
            "because": because,
            "tokens_revoked": revoked,
        }),
    ))?;
    Ok(updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decided_gate_takes_the_event_outcome() {
        let s = RunStatus::Running;
        assert_eq!(
            closing_status(2, RunEvent::GateApproved { step: 2 }, s),
            Some(GateStatus::Approved)
        );
        assert_eq!(
            closing_status(2, RunEvent::GateRejected { step: 2 }, RunStatus::Rejected),
            Some(GateStatus::Rejected)
        );
        assert_eq!(
            closing_status(
                0,
                RunEvent::GateExpired {
                    step: 0,
                    cancel: false
                },
                RunStatus::Expired
            ),
            Some(GateStatus::Expired)
        );
        assert_eq!(
            closing_status(
                0,
                RunEvent::GateExpired {
                    step: 0,
                    cancel: true
                },
                RunStatus::Cancelled
            ),
            Some(GateStatus::Cancelled)
        );
    }

    #[test]
    fn a_cancelled_run_cancels_its_open_gate_and_waiting_keeps_it() {
        assert_eq!(
            closing_status(1, RunEvent::Cancel, RunStatus::Cancelled),
            Some(GateStatus::Cancelled)
        );
        assert_eq!(
            closing_status(1, RunEvent::Cancel, RunStatus::AwaitingApproval),
            None
        );
        // Approving another gate does not close this one while the run still waits.
        assert_eq!(
            closing_status(
                2,
                RunEvent::GateApproved { step: 1 },
                RunStatus::AwaitingApproval
            ),
            None
        );
    }
}
