//! The audit entries of a transition: what happened, who did it, and what changed.
//!
//! Kinds: `run.created`, `run.conditions`, `run.forced`, `run.queued`, `run.dequeued`,
//! `run.started`, `run.skipped`,
//! `run.paused`, `run.resumed`, `run.cancelled`, `run.recovered`, `run.interrupted`,
//! `run.timed_out`, `run.finished`,
//! `step.started`, `step.attempt_failed`, `step.finished`, `step.waiting`, `step.done`,
//! `step.done_failed`, `step.retried`, `step.skipped`, `step.condition`, and `gate.*` for gate
//! decisions.

use super::commit::{Change, StepRecord};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use sop_core::run::{Action, Decision, RunEvent, RunView, StepStatus};
use sop_store::AuditEvent;

/// The entries one decision appends, in order: the event itself, each step that starts or
/// waits, and the run's end when it ends.
pub fn entries(
    before: &RunView,
    decision: &Decision,
    change: &Change,
    titles: &dyn Fn(u32) -> String,
    actor: &str,
    now: DateTime<Utc>,
) -> Vec<AuditEvent> {
    let run_id = Some(before.id.as_str());
    let entry = |kind: &str, detail: Value| AuditEvent::new(now, run_id, actor, kind, detail);
    let mut out = Vec::new();
    if let Some(conditions) = &change.conditions {
        out.push(entry("run.conditions", conditions.clone()));
    }

    let kind = match change.event {
        RunEvent::LeaseLapsed if change.detail.contains_key("signal") => Some("run.interrupted"),
        event => event_kind(event, decision),
    };
    if let Some(kind) = kind {
        let mut detail = Map::new();
        if let Some(step) = event_step(change.event, decision) {
            detail.insert("step".into(), json!(step));
        }
        detail.insert("from".into(), json!(before.status));
        detail.insert("to".into(), json!(decision.status));
        if let Some(record) = &change.record {
            add_record(&mut detail, record);
        }
        if let Action::Backoff { attempt, until, .. } = decision.action {
            detail.insert("next_attempt".into(), json!(attempt));
            detail.insert("retry_at".into(), json!(until));
        }
        for (k, v) in &change.detail {
            detail.insert(k.clone(), v.clone());
        }
        out.push(entry(kind, Value::Object(detail)));
    }

    for c in &decision.steps {
        match (c.status, c.attempt) {
            (StepStatus::Running, Some(attempt)) => out.push(entry(
                "step.started",
                json!({"step": c.step, "title": titles(c.step), "attempt": attempt}),
            )),
            (StepStatus::Waiting, _) if matches!(decision.action, Action::AwaitManual { .. }) => {
                out.push(entry(
                    "step.waiting",
                    json!({"step": c.step, "title": titles(c.step)}),
                ));
            }
            _ => {}
        }
    }

    if decision.status.is_terminal() && decision.status != before.status {
        let mut detail = json!({"status": decision.status});
        if let Some(reason) = &change.reason {
            detail["reason"] = json!(reason);
        }
        out.push(entry("run.finished", detail));
    }
    out
}

fn event_kind(event: RunEvent, decision: &Decision) -> Option<&'static str> {
    Some(match event {
        RunEvent::Start => "run.started",
        RunEvent::ConditionsUnmet => "run.skipped",
        RunEvent::Dequeue => "run.dequeued",
        // The `step.started` entry of the new attempt says it all.
        RunEvent::StepStarted { .. } => return None,
        RunEvent::StepSucceeded { .. } | RunEvent::StepFailed { .. } => {
            if matches!(decision.action, Action::Backoff { .. }) {
                "step.attempt_failed"
            } else {
                "step.finished"
            }
        }
        RunEvent::DoneByPerson { .. } => "step.done",
        RunEvent::FailedByPerson { .. } => "step.done_failed",
        RunEvent::Pause => "run.paused",
        RunEvent::Resume => "run.resumed",
        RunEvent::Cancel => "run.cancelled",
        RunEvent::Retry { .. } => "step.retried",
        RunEvent::Skip { .. } => "step.skipped",
        RunEvent::LeaseLapsed => "run.recovered",
        RunEvent::GateApproved { .. } => "gate.passed",
        RunEvent::GateRejected { .. } => "gate.rejected",
        RunEvent::GateExpired { .. } => "gate.expired",
        RunEvent::StepConditionMet { .. } => "step.condition",
        RunEvent::StepConditionFalse { .. } => "step.skipped",
        RunEvent::TimedOut => "run.timed_out",
    })
}

fn event_step(event: RunEvent, decision: &Decision) -> Option<u32> {
    match event {
        RunEvent::StepStarted { step }
        | RunEvent::StepSucceeded { step }
        | RunEvent::StepFailed { step, .. }
        | RunEvent::DoneByPerson { step }
        | RunEvent::FailedByPerson { step }
        | RunEvent::Skip { step }
        | RunEvent::GateApproved { step }
        | RunEvent::GateRejected { step }
        | RunEvent::GateExpired { step, .. }
        | RunEvent::StepConditionMet { step }
        | RunEvent::StepConditionFalse { step } => Some(step),
        // `sop retry` without `--step`: the machine chose the step; it is the one it restarts.
        RunEvent::Retry { step } => step.or_else(|| {
            decision
                .steps
                .iter()
                .find(|c| matches!(c.status, StepStatus::Running | StepStatus::Pending))
                .map(|c| c.step)
        }),
        _ => None,
    }
}

/// Exit code, duration and output hash of a finished step (never the output itself).
fn add_record(detail: &mut Map<String, Value>, record: &StepRecord) {
    detail.insert("step".into(), json!(record.step));
    if let Some(outcome) = &record.outcome {
        detail.insert("outcome".into(), json!(outcome));
    }
    if let Some(attempt) = record.attempt {
        detail.insert("attempt".into(), json!(attempt));
    }
    if let Some(code) = record.exit_code {
        detail.insert("exit_code".into(), json!(code));
    }
    if let Some(ms) = record.duration_ms {
        detail.insert("duration_ms".into(), json!(ms));
    }
    if let Some(output) = &record.output {
        detail.insert("output_bytes".into(), json!(output.total_size));
        if let Some(sha) = &output.sha256 {
            detail.insert("output_sha256".into(), json!(sha));
        }
    }
    if let Some(failure) = &record.failure {
        detail.insert("failure".into(), json!(failure));
    }
    if let Some(note) = &record.note {
        detail.insert("note".into(), json!(note));
    }
    if let Some(outputs) = &record.outputs
        && !outputs.is_empty()
    {
        let keys: Vec<&String> = outputs.keys().collect();
        detail.insert("output_keys".into(), json!(keys));
    }
}
