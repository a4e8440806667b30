//! A step's `if` condition, decided when the run reaches the step: evaluated against the run's
//! variables, the earlier steps (`steps.N.key`, `steps.N.status`, `steps.N.exit_code`), facts
//! and built-ins, and committed as `StepConditionMet` or `StepConditionFalse`.

use super::commit::{Change, LeaseUse, StepRecord, commit};
use super::tracked::Tracked;
use super::{Engine, redact};
use crate::error::Context as _;
use serde_json::{Map, Value, json};
use sop_core::condition::{ItemVerdict, evaluate_expression};
use sop_core::run::{Decision, RunEvent};

/// Evaluates the condition of `step` and records the outcome: a step whose condition does not
/// hold, or cannot be evaluated (fail closed), is skipped with the explanation as its note.
pub fn check(eng: &Engine, t: &mut Tracked, step: u32) -> crate::Result<Decision> {
    let def = t
        .step_def(step)
        .with_context(|| format!("run {} has no step {step} in its definition", t.id()))?;
    let Some(expr) = def.options.condition.clone() else {
        // The machine asks only for steps with a condition; one without holds trivially.
        return commit(
            eng,
            t,
            &Change::new(RunEvent::StepConditionMet { step }, LeaseUse::Held),
        );
    };
    let verdict = evaluate(eng, t, step, &expr)?;
    let explanation = redact::hide(&verdict.detail, &t.secrets());
    let change = if verdict.holds {
        Change::new(RunEvent::StepConditionMet { step }, LeaseUse::Held)
            .detail("condition", expr.source())
            .detail("met", true)
            .detail("explanation", explanation.as_str())
    } else {
        let record = StepRecord {
            step,
            outcome: Some("skipped".into()),
            note: Some(format!("skipped by its condition: {explanation}")),
            ..StepRecord::default()
        };
        Change::new(RunEvent::StepConditionFalse { step }, LeaseUse::Held)
            .record(record)
            .detail("reason", "condition")
            .detail("condition", expr.source())
            .detail("explanation", explanation.as_str())
    };
    let decision = commit(eng, t, &change)?;
    eng.events.step_condition(step, verdict.holds, &explanation);
    Ok(decision)
}

fn evaluate(
    eng: &Engine,
    t: &Tracked,
    step: u32,
    expr: &sop_core::condition::Expr,
) -> crate::Result<ItemVerdict> {
    let subject = crate::scope::Subject {
        sop: Some(&t.sop),
        trigger_type: Some(&t.run.trigger_type),
        vars: &t.run.variables,
        now: eng.clock.now(),
    };
    let names: Vec<String> = expr.names().into_iter().map(str::to_string).collect();
    let scope = crate::scope::build_with(
        eng.settings,
        Some(eng.store),
        &subject,
        &names,
        crate::scope::Precedence::Engine,
    )?
    .with_steps(earlier_steps(t, step));
    Ok(evaluate_expression(expr, &scope))
}

/// `{"1": {"status": "succeeded", "exit_code": 0, "ok": "yes"}, ...}` for the steps before
/// `step`. The engine's `status` and `exit_code` win over outputs of the same name.
pub fn earlier_steps(t: &Tracked, step: u32) -> Value {
    let mut steps = Map::new();
    for record in t.steps.iter().filter(|s| s.number < step) {
        let mut entry: Map<String, Value> = record
            .outputs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        entry.insert("status".into(), json!(record.status));
        entry.insert("exit_code".into(), json!(record.exit_code));
        steps.insert(record.number.to_string(), Value::Object(entry));
    }
    Value::Object(steps)
}
