//! What to say: a [`NotificationDocument`] built from a run as the engine holds it, secrets
//! hidden. Each channel's adapter words it; this file decides what is in it.

use crate::documents::{
    NotificationDocument, NotificationFailure, NotificationGate, NotificationLinks,
    NotificationRun, NotificationSop, NotificationStep,
};
use crate::engine::{Tracked, redact};
use sop_core::gate::gate_label;
use sop_store::{Gate, StepRun};

/// The lines of output a failure message shows at most.
const TAIL_LINES: usize = 20;

/// The document of `event` about run `t` (and `gate`, or the step that failed).
pub fn document(
    t: &Tracked,
    event: &str,
    gate: Option<&Gate>,
    failed: Option<&StepRun>,
) -> NotificationDocument {
    let secrets = t.secrets();
    let declared = redact::declared_secrets(&t.sop);
    let variables = match redact::redact_declared(&t.run.variables, &declared) {
        serde_json::Value::Object(map) => map,
        _ => Default::default(),
    };
    let step_number = gate.map(|g| g.step).or(failed.map(|s| s.number));
    let step = step_number.map(|n| step(t, n, &secrets));
    NotificationDocument {
        event: event.to_string(),
        sop: NotificationSop {
            name: t.sop.meta.name.clone(),
            priority: t.sop.meta.priority.as_str().to_string(),
            description: t.sop.meta.description.clone(),
        },
        run: Some(NotificationRun {
            id: t.run.id.clone(),
            status: t.run.status.as_str().to_string(),
            started_by: t.run.started_by.clone(),
            variables,
        }),
        step,
        gate: gate.map(|g| NotificationGate {
            id: g.id.clone(),
            label: gate_label(g.step),
            deadline: g.expires_at,
            approvers: g.approvers.clone(),
            min_approvals: g.min_approvals,
            outcome: (!g.status.is_open()).then(|| g.status.as_str().to_string()),
        }),
        failure: failed.map(|s| NotificationFailure {
            step: s.number,
            title: t
                .step_def(s.number)
                .map(|d| d.title.clone())
                .unwrap_or_default(),
            exit_code: s.exit_code,
            output_tail: last_lines(
                &redact::hide(&String::from_utf8_lossy(&s.output_tail), &secrets),
                TAIL_LINES,
            ),
        }),
        links: NotificationLinks::default(),
    }
}

/// The gated step (or, before the run, the first step): title, checklist and commands.
fn step(t: &Tracked, number: u32, secrets: &[String]) -> NotificationStep {
    let shown = number.max(1);
    match t.step_def(shown) {
        Some(def) => NotificationStep {
            number,
            title: def.title.clone(),
            checklist: def
                .checklist
                .iter()
                .map(|c| redact::hide(c, secrets))
                .collect(),
            commands: def
                .commands()
                .map(|b| redact::hide(b.code.trim_end(), secrets))
                .collect(),
        },
        None => NotificationStep {
            number,
            title: String::new(),
            checklist: Vec::new(),
            commands: Vec::new(),
        },
    }
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A test message (`sop notify test`).
pub fn test_document() -> NotificationDocument {
    NotificationDocument {
        event: "test".into(),
        sop: NotificationSop {
            name: "sop".into(),
            priority: "normal".into(),
            description: "A test message from sop notify test.".into(),
        },
        run: None,
        step: None,
        gate: None,
        failure: None,
        links: NotificationLinks::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_lines_are_kept() {
        assert_eq!(last_lines("a\nb\nc\n", 2), "b\nc");
        assert_eq!(last_lines("a", 5), "a");
    }
}
