//! Putting notifications in the outbox, inside the transaction that changes what they announce:
//! a gate opened (and its reminder, due before the deadline), a gate closed ([`outcome`], to
//! show it on the messages that asked), a run failed, expired or succeeded. Nothing is sent
//! here.

use super::content;
use super::settings::NotifySettings;
use crate::engine::{Engine, Tracked};
use chrono::{DateTime, Utc};
use sop_core::notify::{DEFAULT_EVENTS, NotifyEvent};
use sop_core::run::{Decision, RunStatus};
use sop_store::{Gate, NewNotification, StepRun, Tx};

/// One message to write: its kind (for `notify_on`), event name, gate, failed step, due time.
type Row<'a> = (
    NotifyEvent,
    &'static str,
    Option<&'a Gate>,
    Option<&'a StepRun>,
    DateTime<Utc>,
);

/// What one transaction wrote that may be worth announcing.
pub(crate) struct Announced<'a> {
    pub decision: &'a Decision,
    /// Gates opened or changed by the transaction.
    pub gates: &'a [Gate],
    /// Steps written by the transaction.
    pub steps: &'a [StepRun],
    /// The step the run failed at, when it failed.
    pub failed_step: Option<u32>,
}

/// Writes the outbox rows for `a`. A broken notification setting sends nothing (the run must not
/// fail for it; `sop check` reports it).
pub(crate) fn enqueue(
    tx: &mut dyn Tx,
    eng: &Engine,
    t: &Tracked,
    a: &Announced,
    now: DateTime<Utc>,
) -> sop_store::Result<()> {
    let mut rows: Vec<Row> = Vec::new();
    for g in a.gates {
        let before = t.gates.iter().find(|old| old.id == g.id);
        if g.status.is_open() && before.is_none() {
            rows.push((NotifyEvent::Approval, "approval", Some(g), None, now));
            rows.push((NotifyEvent::Reminder, "reminder", Some(g), None, now));
        }
    }
    let from = t.view.status;
    let to = a.decision.status;
    if to != from {
        match to {
            RunStatus::Failed => {
                let step = a
                    .failed_step
                    .and_then(|n| a.steps.iter().find(|s| s.number == n).or(t.step_record(n)));
                rows.push((NotifyEvent::Failed, "failed", None, step, now));
            }
            RunStatus::Expired => {
                let gate = a.gates.iter().find(|g| !g.status.is_open());
                rows.push((NotifyEvent::Expired, "expired", gate, None, now));
            }
            RunStatus::Succeeded => {
                rows.push((NotifyEvent::Succeeded, "succeeded", None, None, now))
            }
            _ => {}
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    let Ok(settings) = NotifySettings::load(eng.settings) else {
        return Ok(());
    };
    if !settings.enabled {
        return Ok(());
    }
    let channels = settings.channels_for(t.sop.meta.approval_channel.as_deref());
    if channels.is_empty() {
        return Ok(());
    }
    let wanted = t.sop.meta.notify_on.as_deref().unwrap_or(DEFAULT_EVENTS);
    for (kind, event, gate, step, mut due) in rows {
        if !wanted.contains(&kind) {
            continue;
        }
        if event == "reminder" {
            // The reminder's due time was decided with the gate (`SOP_APPROVAL_REMINDER` before
            // its deadline) and recorded on it; none when that falls before the gate opened.
            match gate.and_then(|g| g.remind_at) {
                Some(at) if at > now => due = at,
                // A deadline closer than the reminder: the approval message is the reminder.
                _ => continue,
            }
        }
        let mut doc = content::document(t, event, gate, step);
        // The run as this transaction leaves it (`failed`, `succeeded`), not as it was read.
        if let Some(run) = &mut doc.run {
            run.status = a.decision.status.as_str().to_string();
        }
        // A document of strings, numbers and string-keyed maps always serialises.
        let body = serde_json::to_string(&doc).unwrap_or_else(|_| "{}".into());
        for channel in &channels {
            tx.insert_notification(&NewNotification {
                event: event.to_string(),
                channel: channel.spec(),
                run_id: Some(t.id().to_string()),
                gate_id: gate.map(|g| g.id.clone()),
                body: body.clone(),
                created_at: now,
                due_at: due,
            })?;
        }
    }
    Ok(())
}

/// A gate closed as `gate` now is: an `outcome` message for each channel its approval message
/// went to, so the sender can show the outcome there. Written by the transaction closing it.
pub(crate) fn outcome(tx: &mut dyn Tx, gate: &Gate, now: DateTime<Utc>) -> sop_store::Result<()> {
    let asked: Vec<_> = tx
        .notifications(Some(&gate.run_id))?
        .into_iter()
        .filter(|n| n.event == "approval" && n.gate_id.as_deref() == Some(gate.id.as_str()))
        .collect();
    for n in asked {
        let Ok(mut doc) = serde_json::from_str::<crate::documents::NotificationDocument>(&n.body)
        else {
            continue;
        };
        doc.event = "outcome".into();
        if let Some(g) = doc.gate.as_mut() {
            g.outcome = Some(gate.status.as_str().to_string());
        }
        if let Some(r) = doc.run.as_mut() {
            r.status = match gate.status {
                sop_core::gate::GateStatus::Approved => "running",
                other => other.as_str(),
            }
            .to_string();
        }
        tx.insert_notification(&NewNotification {
            event: "outcome".into(),
            channel: n.channel,
            run_id: Some(gate.run_id.clone()),
            gate_id: Some(gate.id.clone()),
            body: serde_json::to_string(&doc).unwrap_or_else(|_| "{}".into()),
            created_at: now,
            due_at: now,
        })?;
    }
    Ok(())
}
