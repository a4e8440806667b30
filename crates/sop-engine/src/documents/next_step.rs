//! [`NextStepDocument`]: where a run stands for whoever drives it by hand — the step it is at,
//! its instructions, what it waits for, the open gate and the outputs so far.

use super::run_document::{shown_outputs, shown_tail};
use crate::approval::pending::PendingGate;
use crate::engine::{Tracked, redact};
use serde::Serialize;
use serde_json::{Map, Value};
use sop_core::definition::{Step, StepKind};
use sop_core::run::{RunStatus, StepStatus, WaitReason};
use sop_core::step_output::Outputs;
use sop_core::template::{
    Marked, Vars, render_command_lenient, render_text_lenient, render_text_marked,
};
use std::collections::BTreeMap;

/// Who or what the run waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaitingFor {
    /// A person does a manual step.
    Person,
    /// A person decides on a failed or interrupted step (retry or skip).
    Decision,
    /// A gate waits for approval.
    Approval,
    /// The run is paused.
    Resume,
    /// A step is running, or the run is pending for a driver.
    Engine,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct NextStepDocument {
    pub run: String,
    pub run_id: String,
    pub sop: String,
    pub status: RunStatus,
    pub reason: Option<String>,
    pub wait_reason: Option<&'static str>,
    pub step: Option<StepInstructions>,
    /// `null` once the run is finished (a run that timed out is: nothing awaits a decision).
    pub waiting_for: Option<WaitingFor>,
    pub gate: Option<PendingGate>,
    /// Outputs of every step that has some, by step number.
    pub outputs: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StepInstructions {
    pub number: u32,
    pub of: usize,
    pub title: String,
    pub kind: StepKind,
    pub status: Option<StepStatus>,
    pub attempts: u32,
    pub exit_code: Option<i32>,
    pub output_tail: String,
    pub description: String,
    /// The description with its values set apart (secrets hidden), for a page that renders it
    /// as Markdown: a value is text there, never a link or markup.
    #[serde(skip)]
    #[schemars(skip)]
    pub description_marked: Marked,
    pub checklist: Vec<String>,
    /// The commands an automated step runs, rendered, secret values hidden; for a manual step,
    /// its code blocks (placeholders filled in, secret values hidden), to run by hand.
    pub commands: Vec<String>,
    #[serde(rename = "if")]
    pub condition: Option<String>,
    /// `null` while the condition waits to be decided (when the run reaches the step).
    pub if_met: Option<bool>,
}

impl NextStepDocument {
    pub fn new(t: &Tracked, gate: Option<PendingGate>) -> Self {
        // A run that timed out failed with no failed step: nothing awaits a decision.
        let timed_out = t.run.status == RunStatus::Failed && t.view.stopping_failure().is_none();
        let step_number = match t.run.status {
            s if s.is_terminal() && (s != RunStatus::Failed || timed_out) => None,
            _ => t
                .view
                .waiting_step()
                .or_else(|| t.view.running_step())
                .or_else(|| t.view.stopping_failure())
                .or_else(|| t.view.current_step())
                .map(|s| s.number),
        };
        let waiting_for = match t.run.status {
            RunStatus::Waiting if t.view.wait_reason == Some(WaitReason::Interrupted) => {
                Some(WaitingFor::Decision)
            }
            RunStatus::Waiting => Some(WaitingFor::Person),
            RunStatus::Failed if timed_out => None,
            RunStatus::Failed => Some(WaitingFor::Decision),
            RunStatus::AwaitingApproval => Some(WaitingFor::Approval),
            RunStatus::Paused => Some(WaitingFor::Resume),
            RunStatus::Pending | RunStatus::Running => Some(WaitingFor::Engine),
            _ => None,
        };
        let secrets = t.secrets();
        let outputs = t
            .steps
            .iter()
            .filter(|s| !s.outputs.is_empty())
            .map(|s| {
                (
                    s.number.to_string(),
                    Value::Object(shown_outputs(s, &secrets)),
                )
            })
            .collect();
        NextStepDocument {
            run: t.id().to_string(),
            run_id: t.id().to_string(),
            sop: t.run.sop_name.clone(),
            status: t.run.status,
            reason: t.run.reason.clone(),
            wait_reason: t.view.wait_reason.map(|w| w.as_str()),
            step: step_number
                .and_then(|n| t.step_def(n))
                .map(|def| StepInstructions::new(t, def, &secrets)),
            waiting_for,
            gate,
            outputs,
        }
    }
}

impl StepInstructions {
    fn new(t: &Tracked, def: &Step, secrets: &[String]) -> Self {
        let vars = t.variables();
        let outputs = t.outputs();
        let template_vars = Vars::new(&vars).with_steps(&outputs);
        // A manual step's blocks are what its person or agent runs by hand (a query, a
        // command): shown filled in as text, not quoted for a shell the engine never starts.
        let commands = if def.kind == StepKind::Automated {
            def.commands()
                .map(|b| redact::hide(&render_command_lenient(&b.code, &template_vars), secrets))
                .collect()
        } else {
            def.blocks
                .iter()
                .map(|b| redact::hide(&render_text_lenient(&b.code, &template_vars), secrets))
                .collect()
        };
        let text = instructions(def, &vars, &outputs, secrets);
        let (description, checklist): (Vec<&str>, Vec<&str>) =
            text.lines().partition(|l| !l.starts_with("[ ] "));
        let record = t.step_record(def.number);
        StepInstructions {
            number: def.number,
            of: t.step_count(),
            title: redact::hide(&render_text_lenient(&def.title, &template_vars), secrets),
            kind: def.kind,
            status: record.map(|s| s.status),
            attempts: record.map_or(0, |s| s.attempts),
            exit_code: record.and_then(|s| s.exit_code),
            output_tail: record.map(|s| shown_tail(s, secrets)).unwrap_or_default(),
            description: description.join("\n"),
            description_marked: {
                let mut marked = render_text_marked(def.description.trim(), &template_vars);
                for value in &mut marked.values {
                    *value = redact::hide(value, secrets);
                }
                marked
            },
            checklist: checklist.iter().map(|l| l[4..].to_string()).collect(),
            commands,
            condition: def
                .options
                .condition
                .as_ref()
                .map(|c| c.source().to_string()),
            if_met: def.options.condition.as_ref().and_then(|_| {
                let due = t.view.step(def.number).is_some_and(|s| s.condition_due());
                (!due).then_some(true)
            }),
        }
    }
}

/// A manual step's description and checklist (`[ ] item` lines), rendered with the run's
/// variables (secret values hidden) and earlier steps' outputs.
pub fn instructions(
    step: &Step,
    vars: &Map<String, Value>,
    outputs: &BTreeMap<u32, Outputs>,
    secrets: &[String],
) -> String {
    let vars = Vars::new(vars).with_steps(outputs);
    let mut out = String::new();
    let description = render_text_lenient(step.description.trim(), &vars);
    if !description.is_empty() {
        out.push_str(&description);
        out.push('\n');
    }
    for item in &step.checklist {
        out.push_str(&format!("[ ] {}\n", render_text_lenient(item, &vars)));
    }
    redact::hide(&out, secrets)
}
