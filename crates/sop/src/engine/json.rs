//! The run object of `--json` outputs: the stored run without its definition snapshot, secret
//! variables redacted, with its steps and gates.

use super::redact;
use super::tracked::Tracked;
use serde_json::{Value, json};

pub fn run(t: &Tracked) -> Value {
    let mut value = serde_json::to_value(&t.run).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("definition_snapshot");
        map.insert("variables".into(), redact::redact(&t.run.variables));
        map.insert(
            "wait_reason".into(),
            json!(t.view.wait_reason.map(|w| w.as_str())),
        );
        map.insert("steps".into(), steps(t));
        map.insert("gates".into(), json!(t.gates));
    }
    value
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
                if let Some(Value::String(tail)) = map.get("output_tail") {
                    let hidden = redact::hide(tail, &secrets);
                    map.insert("output_tail".into(), Value::String(hidden));
                }
                if let Some(Value::Object(outputs)) = map.get("outputs") {
                    let shown = redact::redact_map(outputs)
                        .into_iter()
                        .map(|(k, v)| match v {
                            Value::String(text) => {
                                (k, Value::String(redact::hide(&text, &secrets)))
                            }
                            other => (k, other),
                        })
                        .collect();
                    map.insert("outputs".into(), Value::Object(shown));
                }
            }
            v
        })
        .collect()
}

/// Prints `value` as pretty JSON on stdout.
pub fn print(value: &Value) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// A pruned run: what is left of it (its definition, variables and outputs are gone).
pub fn pruned(run: &sop_store::Run, steps: &[sop_store::StepRun]) -> Value {
    let mut value = serde_json::to_value(run).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("definition_snapshot");
        map.insert("steps".into(), json!(steps));
    }
    value
}
