//! The tools: each a name, a description, an input schema generated from its arguments' type,
//! and an output schema generated from the document it returns (the one `--json` prints).

mod calls;

pub use calls::call;

use crate::args::*;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Serialize;
use sop_engine::approval::pending::PendingGate;
use sop_engine::documents::schemas::output_schema;
use sop_engine::documents::{
    CheckDocument, EventDocument, FactDocument, NextStepDocument, PlanDocument, RunDocument,
    RunSummaryDocument, SopDocument, SopListDocument,
};
use std::sync::Arc;

/// `list_runs`' result: structured content is an object, so the list is one of its fields.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RunList {
    /// Newest first, as `sop status --json` lists them.
    pub runs: Vec<RunSummaryDocument>,
}

/// `pending_approvals`' result, as `sop pending --json` lists the gates.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PendingList {
    pub gates: Vec<PendingGate>,
}

/// The schema of a run's variables. SOPs do not declare typed parameters yet, so any object
/// is accepted here and `plan_run` reports what a start would lack. Once they do, this is the
/// one place their parameter schema plugs in.
pub fn variables_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "description": "The run's variables by name; commands and text use them as {{ name }}. \
                        plan_run lists any a start would lack.",
        "additionalProperties": true
    })
}

fn object(mut schema: serde_json::Value) -> Arc<JsonObject> {
    object_subschemas(&mut schema);
    match schema {
        serde_json::Value::Object(map) => Arc::new(map),
        _ => Arc::new(JsonObject::new()),
    }
}

/// Writes every boolean subschema as an object (`true` as `{}`, `false` as `{"not": {}}`).
/// JSON Schema allows both, but MCP types a tool's `properties` as objects, and the TypeScript
/// SDK refuses the whole tool list over one `true` (a field of any JSON value).
fn object_subschemas(schema: &mut serde_json::Value) {
    use serde_json::{Value, json};
    let as_object = |v: &mut Value| match v {
        Value::Bool(true) => *v = json!({}),
        Value::Bool(false) => *v = json!({"not": {}}),
        _ => {}
    };
    match schema {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match (key.as_str(), &mut *value) {
                    (
                        "properties" | "$defs" | "definitions" | "patternProperties",
                        Value::Object(subs),
                    ) => subs.values_mut().for_each(as_object),
                    ("items" | "not" | "contains", v) => as_object(v),
                    ("anyOf" | "oneOf" | "allOf" | "prefixItems", Value::Array(subs)) => {
                        subs.iter_mut().for_each(as_object)
                    }
                    _ => {}
                }
                object_subschemas(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(object_subschemas),
        _ => {}
    }
}

/// A tool reading `I` and returning `O`: the input schema as arguments are read, the output
/// schema as the document is written (the one `docs/schemas` holds).
fn tool<I: JsonSchema, O: JsonSchema>(name: &'static str, description: &'static str) -> Tool {
    Tool::new(
        name,
        description,
        object(schemars::schema_for!(I).to_value()),
    )
    .with_raw_output_schema(object(output_schema::<O>()))
}

fn reads(t: Tool) -> Tool {
    t.with_annotations(ToolAnnotations::new().read_only(true))
}

fn acts(t: Tool, destructive: bool) -> Tool {
    t.with_annotations(
        ToolAnnotations::new()
            .read_only(false)
            .destructive(destructive)
            .open_world(false),
    )
}

/// Every tool this server offers.
pub fn tools() -> Vec<Tool> {
    vec![
        reads(tool::<NoArgs, SopListDocument>(
            "list_sops",
            "Lists the SOPs (standard operating procedures) with their priority, mode, triggers \
             and conditions; invalid ones with their problems.",
        )),
        reads(tool::<SopName, SopDocument>(
            "show_sop",
            "One SOP in full: metadata, triggers, conditions, every step with its commands, and \
             the approvals a run meets.",
        )),
        reads(tool::<CheckArgs, CheckDocument>(
            "check_sops",
            "Validates SOP definitions (every SOP when no names are given) and reports every \
             problem, plus calendar files and settings.",
        )),
        reads(tool::<StartArgs, PlanDocument>(
            "plan_run",
            "A dry run: whether the SOP would start with these variables, its conditions, mode, \
             gates and rendered steps. Runs nothing, records nothing.",
        )),
        acts(
            tool::<StartArgs, RunDocument>(
                "start_run",
                "Starts a run of an SOP and drives it until it finishes, waits (for an approval \
                 or a manual step) or wait_seconds pass; returns the run either way. Then call \
                 next_step.",
            ),
            true,
        ),
        reads(tool::<RunArg, RunDocument>(
            "run_status",
            "One run with its steps, gates and their decisions, variables (secrets redacted).",
        )),
        reads(tool::<ListRunsArgs, RunList>(
            "list_runs",
            "Recent runs, newest first, optionally of one SOP or in one state.",
        )),
        reads(tool::<RunArg, NextStepDocument>(
            "next_step",
            "Where a run stands: the step it is at with its instructions, checklist and \
             commands, what it waits for (person, approval, decision, resume, engine) and the \
             open gate.",
        )),
        acts(
            tool::<CompleteArgs, RunDocument>(
                "complete_step",
                "Reports the manual step the run waits at as done (with a note and outputs) or \
                 failed (with a note saying why); the run goes on.",
            ),
            true,
        ),
        acts(
            tool::<CancelArgs, RunDocument>(
                "cancel_run",
                "Stops a run now; a running step is terminated.",
            ),
            true,
        ),
        acts(
            tool::<RetryArgs, RunDocument>(
                "retry_step",
                "Runs a failed or interrupted step again (next_step says waiting_for \"decision\"), \
                 then goes on with the run. Decide it with your user: a step that failed may fail \
                 again, or have done part of its work.",
            ),
            true,
        ),
        acts(
            tool::<SkipArgs, RunDocument>(
                "skip_step",
                "Goes on without a failed or interrupted step, recording why. Later steps that \
                 need its outputs will not have them.",
            ),
            true,
        ),
        acts(
            tool::<ResumeArgs, RunDocument>(
                "resume_run",
                "Resumes a paused run, or picks up one whose driver went away (a run left \
                 pending).",
            ),
            false,
        ),
        reads(tool::<PendingArgs, PendingList>(
            "pending_approvals",
            "The gates waiting for a decision: what each waits for and when it expires.",
        )),
        acts(
            tool::<DecideArgs, RunDocument>(
                "decide_gate",
                "Approves or rejects (with a comment) a run's open gate as the acting user. \
                 Every approval rule holds: who may approve, four-eyes, quorum, tokens.",
            ),
            true,
        ),
        reads(tool::<FactName, FactDocument>(
            "get_fact",
            "One fact (a named value conditions can require); secret-named ones redacted.",
        )),
        acts(
            tool::<SetFactArgs, FactDocument>(
                "set_fact",
                "Sets or replaces a fact, optionally expiring after ttl.",
            ),
            false,
        ),
        acts(
            tool::<EmitArgs, EventDocument>(
                "emit_event",
                "Records an event (e.g. deploy.failed with data). Every SOP with a matching event \
                 trigger whose condition holds on the data and whose cooldown has passed starts a \
                 run, left pending for `sop serve`; outcomes say which run each trigger started or \
                 why none.",
            ),
            false,
        ),
    ]
}

pub fn tool_names() -> Vec<String> {
    tools().into_iter().map(|t| t.name.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// Every `properties` entry of `schema`, at any depth, with its path.
    fn property_schemas(schema: &Value, path: String, out: &mut Vec<(String, Value)>) {
        match schema {
            Value::Object(map) => {
                for (k, v) in map {
                    if k == "properties"
                        && let Value::Object(props) = v
                    {
                        for (name, sub) in props {
                            out.push((format!("{path}.{name}"), sub.clone()));
                        }
                    }
                    property_schemas(v, format!("{path}.{k}"), out);
                }
            }
            Value::Array(items) => items
                .iter()
                .for_each(|i| property_schemas(i, path.clone(), out)),
            _ => {}
        }
    }

    #[test]
    fn every_property_schema_is_an_object_as_mcp_types_it() {
        for tool in tools() {
            let mut found = Vec::new();
            let input = Value::Object((*tool.input_schema).clone());
            property_schemas(&input, format!("{}.input", tool.name), &mut found);
            if let Some(output) = &tool.output_schema {
                let output = Value::Object((**output).clone());
                property_schemas(&output, format!("{}.output", tool.name), &mut found);
            }
            for (path, schema) in found {
                assert!(schema.is_object(), "{path} is {schema}");
            }
        }
    }
}
