//! What people see of events: one line per event and one per trigger it matched.

use sop_engine::documents::{EventDocument, EventOutcomeDocument};
use sop_store::EventOutcomeKind;

/// `event #12 deploy.failed at 2026-03-01T09:00:00.000Z from cli`.
pub fn heading(e: &EventDocument) -> String {
    format!(
        "event #{} {} at {} from {}",
        e.id,
        e.event,
        e.received_at,
        e.source.as_deref().unwrap_or("?")
    )
}

/// The lines under an event: what became of it per SOP trigger, or that nothing matched.
pub fn outcome_lines(e: &EventDocument) -> Vec<String> {
    if e.outcomes.is_empty() {
        return vec![format!(
            "  no SOP has an event trigger matching `{}`",
            e.event
        )];
    }
    e.outcomes.iter().map(outcome_line).collect()
}

fn outcome_line(o: &EventOutcomeDocument) -> String {
    let what = match o.outcome {
        EventOutcomeKind::Started => format!(
            "started run {} ({})",
            o.run.as_deref().unwrap_or("?"),
            o.run_status.map_or("gone", |s| s.as_str())
        ),
        EventOutcomeKind::Skipped => match &o.run {
            Some(run) => format!(
                "recorded run {run} as skipped: {}",
                o.reason.as_deref().unwrap_or("")
            ),
            None => format!("not started: {}", o.reason.as_deref().unwrap_or("")),
        },
        EventOutcomeKind::Cooldown => {
            format!("held back: {}", o.reason.as_deref().unwrap_or(""))
        }
        EventOutcomeKind::Refused => format!("refused: {}", o.reason.as_deref().unwrap_or("")),
    };
    format!("  {} (trigger {}): {what}", o.sop, o.trigger)
}
