//! [`PlanDocument`]: what a start would do, with nothing run and nothing recorded — the
//! conditions, the mode and gates, the rendered steps — as `sop execute --dry-run --json`
//! prints it.

use crate::engine::redact;
use crate::executor::{var_env_name, variable_env};
use crate::ops::Plan;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use sop_core::definition::{StepKind, StepOptions};
use sop_core::gate::{PlannedGate, ResolvedMode};
use sop_core::template::{Vars, render_command_lenient, render_text_lenient};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlanDocument {
    pub sop: String,
    /// Always `true`.
    pub dry_run: bool,
    pub would_start: bool,
    /// Why a start would need forcing: `no manual trigger`, `conditions not met`.
    pub needs_force: Vec<String>,
    /// Commands naming a variable that was not given, as `file:line: step N `title`: …`.
    pub missing_variables: Vec<String>,
    pub conditions: PlanConditions,
    pub mode: ResolvedMode,
    pub gates: Vec<PlannedGate>,
    /// Secret variables `[redacted]`.
    pub variables: Value,
    /// The names of the environment variables steps get from sop.
    pub environment: Vec<String>,
    /// The SOP's declared parameters (`[variables.NAME]`), as `sop show --json` gives them.
    #[schemars(with = "Value")]
    pub parameters: Value,
    pub steps: Vec<PlannedStep>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlanConditions {
    pub met: bool,
    pub items: Vec<PlanCondition>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlanCondition {
    pub source: String,
    pub holds: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlannedStep {
    pub number: u32,
    pub title: String,
    pub kind: StepKind,
    pub options: StepOptions,
    pub description: String,
    pub checklist: Vec<String>,
    pub commands: Vec<PlannedCommand>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlannedCommand {
    pub interpreter: String,
    pub command: String,
}

impl PlanDocument {
    pub fn new(plan: &Plan) -> Self {
        let vars = &plan.variables;
        let secrets = redact::secret_values(vars);
        let no_outputs = BTreeMap::new();
        let template_vars = Vars::new(vars).with_steps(&no_outputs);
        let shown = |text: &str| redact::hide(&render_text_lenient(text, &template_vars), &secrets);
        let steps = plan
            .sop
            .steps
            .iter()
            .map(|s| PlannedStep {
                number: s.number,
                title: s.title.clone(),
                kind: s.kind,
                options: s.options.clone(),
                description: shown(&s.description),
                checklist: s.checklist.iter().map(|c| shown(c)).collect(),
                commands: s
                    .commands()
                    .map(|b| PlannedCommand {
                        interpreter: b.interpreter().to_string(),
                        command: redact::hide(
                            &render_command_lenient(&b.code, &template_vars),
                            &secrets,
                        ),
                    })
                    .collect(),
            })
            .collect();
        let items = plan
            .verdict
            .items
            .iter()
            .map(|i| PlanCondition {
                source: i.source.clone(),
                holds: i.holds,
                detail: redact::hide(&i.detail, &secrets),
            })
            .collect();
        PlanDocument {
            sop: plan.sop.name().to_string(),
            dry_run: true,
            would_start: plan.would_start(),
            needs_force: plan.needs_force.iter().map(|s| s.to_string()).collect(),
            missing_variables: plan.missing.clone(),
            conditions: PlanConditions {
                met: plan.verdict.met,
                items,
            },
            mode: plan.gates.resolution.mode,
            gates: plan.gates.gates.clone(),
            variables: redact::redact_declared(
                &Value::Object(vars.clone()),
                &redact::declared_secrets(&plan.sop),
            ),
            environment: env_names(vars),
            parameters: serde_json::to_value(&plan.sop.parameters).unwrap_or(Value::Null),
            steps,
        }
    }
}

/// The environment variables steps get from sop: one per variable (`…_FILE` for a value too
/// large for the environment), `SOP_VARS` (or `SOP_VARS_FILE`), then sop's own.
pub fn env_names(vars: &Map<String, Value>) -> Vec<String> {
    let mut names: Vec<String> = match variable_env(vars) {
        Ok(env) => env
            .env
            .into_iter()
            .map(|(k, _)| k)
            .chain(env.files.into_iter().map(|f| f.env))
            .collect(),
        Err(_) => vars
            .keys()
            .map(|k| var_env_name(k))
            .chain(["SOP_VARS".to_string()])
            .collect(),
    };
    // The variables' own by name, then the one that holds them all.
    let holds_all = |n: &str| n == "SOP_VARS" || n == "SOP_VARS_FILE";
    names.sort_by(|a, b| (holds_all(a), a).cmp(&(holds_all(b), b)));
    names.extend(
        [
            "SOP_RUN_ID",
            "SOP_NAME",
            "SOP_STEP",
            "SOP_ATTEMPT",
            "SOP_OUTPUT",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    names
}
