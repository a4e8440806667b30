//! The run object of `--json` outputs: the stored run without its definition snapshot, secret
//! variables redacted, with its steps and gates (each with its decisions).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sop_engine::Service;
use sop_engine::engine::Tracked;
use sop_engine::engine::redact;
use sop_store::{GateDecision, Run, RunSummary, StepRun};

/// Prints the run object of `t` as it is now, with its gates' decisions and the explanation of
/// its conditions read from the store.
pub fn print_run(service: &Service, t: &Tracked) -> anyhow::Result<()> {
    let decisions = service.store().run_decisions(t.id())?;
    let mut value = run(t, &decisions, service.clock().now());
    value["conditions"] = conditions(service, t.id())?;
    print(&value)
}

/// `{"met": …, "items": [{"source", "holds", "detail"}]}` as recorded when the run was created
/// (secrets already redacted there), so a caller sees why a run was `skipped`; `null` when the
/// record is gone (pruned).
fn conditions(service: &Service, run_id: &str) -> anyhow::Result<Value> {
    let entries = service.store().audit_entries(Some(run_id))?;
    Ok(entries
        .into_iter()
        .find(|e| e.kind == "run.conditions")
        .map_or(Value::Null, |e| e.detail))
}

pub fn run(t: &Tracked, decisions: &[GateDecision], now: DateTime<Utc>) -> Value {
    let mut value = serde_json::to_value(&t.run).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("definition_snapshot");
        map.insert("sop".into(), json!(t.run.sop_name));
        map.insert("duration_ms".into(), json!(duration_ms(&t.run, now)));
        map.insert("variables".into(), redact::redact(&t.run.variables));
        map.insert(
            "wait_reason".into(),
            json!(t.view.wait_reason.map(|w| w.as_str())),
        );
        map.insert("steps".into(), steps(t));
        map.insert("gates".into(), gates(t, decisions));
    }
    value
}

/// Each gate with the decisions taken on it, oldest first.
fn gates(t: &Tracked, decisions: &[GateDecision]) -> Value {
    t.gates
        .iter()
        .map(|g| {
            let mut v = json!(g);
            let mine: Vec<Value> = decisions
                .iter()
                .filter(|d| d.gate_id == g.id)
                .map(|d| json!({"actor": d.actor, "decision": d.decision, "comment": d.comment, "at": d.at}))
                .collect();
            v["decisions"] = Value::Array(mine);
            v
        })
        .collect()
}

fn steps(t: &Tracked) -> Value {
    let secrets = t.secrets();
    t.steps
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut v {
                map.remove("run_id");
                if let Some(def) = t.step_def(s.number) {
                    map.insert("kind".into(), json!(def.kind));
                }
                map.insert("output_tail".into(), json!(shown_tail(s, &secrets)));
                map.insert("outputs".into(), shown_outputs(s, &secrets));
            }
            v
        })
        .collect()
}

/// A step's stored output tail with the run's secret values hidden.
pub fn shown_tail(step: &StepRun, secrets: &[String]) -> String {
    redact::hide(&String::from_utf8_lossy(&step.output_tail), secrets)
}

/// A step's outputs as JSON: secret-named ones `[redacted]`, secret values hidden in the rest.
pub fn shown_outputs(step: &StepRun, secrets: &[String]) -> Value {
    let outputs = step
        .outputs
        .iter()
        .map(|(k, v)| {
            let shown = if redact::is_secret_name(k) {
                redact::REDACTED.to_string()
            } else {
                redact::hide(v, secrets)
            };
            (k.clone(), Value::String(shown))
        })
        .collect();
    Value::Object(outputs)
}

/// The outputs of every step that has some, keyed by step number (`{"1": {"host": "web-1"}}`).
pub fn outputs_by_step(t: &Tracked) -> Value {
    let secrets = t.secrets();
    let by_step = t
        .steps
        .iter()
        .filter(|s| !s.outputs.is_empty())
        .map(|s| (s.number.to_string(), shown_outputs(s, &secrets)))
        .collect();
    Value::Object(by_step)
}

/// Prints `value` as pretty JSON on stdout. A reader that went away is not an error: the
/// command's outcome (a run's exit code) stands.
pub fn print(value: &Value) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out));
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// The list of `sop status --json`: each run's summary with its SOP as `sop` (also
/// `sop_name`) and its duration so far.
pub fn summaries(runs: &[RunSummary], now: DateTime<Utc>) -> Value {
    runs.iter()
        .map(|r| {
            let mut value = serde_json::to_value(r).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("sop".into(), json!(r.sop_name));
                map.insert("duration_ms".into(), json!(r.duration_ms(now)));
            }
            value
        })
        .collect()
}

/// Milliseconds from the start to the finish, or to `now` while the run goes on.
fn duration_ms(run: &Run, now: DateTime<Utc>) -> Option<i64> {
    let start = run.started_at?;
    Some((run.finished_at.unwrap_or(now) - start).num_milliseconds())
}

/// A pruned run: what is left of it (its definition, variables and outputs are gone).
pub fn pruned(run: &Run, steps: &[sop_store::StepRun], now: DateTime<Utc>) -> Value {
    let mut value = serde_json::to_value(run).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("definition_snapshot");
        map.insert("sop".into(), json!(run.sop_name));
        map.insert("duration_ms".into(), json!(duration_ms(run, now)));
        map.insert("steps".into(), json!(steps));
    }
    value
}
