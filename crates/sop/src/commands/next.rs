//! `sop next RUN`: the step a run is at, its instructions and checklist, and what it waits for —
//! the loop an agent or a script drives (`sop next`, do the work, `sop done`).

use crate::config::Context;
use crate::exit::Exit;
use crate::render::progress::instructions;
use crate::render::{json, report};
use serde_json::{Value, json};
use sop_core::definition::StepKind;
use sop_core::run::{RunStatus, WaitReason};
use sop_core::template::{Vars, render_command_lenient};
use sop_engine::engine::{Tracked, identity, redact};
use sop_engine::{Caller, Service};

#[derive(clap::Args)]
pub struct Args {
    /// A run id, or a prefix of one that matches a single run.
    #[arg(value_name = "RUN")]
    pub run: String,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let service = ctx.service()?;
    let caller = Caller::quiet(identity::who(&ctx.settings, None)?);
    let t = service.load_run(&caller, &args.run)?;
    let value = describe(&service, &caller, &t)?;
    if args.json {
        json::print(&value)?;
    } else {
        print!("{}", text(&value));
    }
    Ok(Exit::Success)
}

/// What waits on whom, as data: `waiting_for` is `person`, `decision`, `approval`, `resume`,
/// `engine` (a step is running or the run is pending) or `null` (finished); with it the step,
/// the open gate and the outputs of the steps so far, so an agent needs nothing else.
fn describe(service: &Service, caller: &Caller, t: &Tracked) -> anyhow::Result<Value> {
    let step_number = match t.run.status {
        s if s.is_terminal() && s != RunStatus::Failed => None,
        _ => t
            .view
            .waiting_step()
            .or_else(|| t.view.running_step())
            .or_else(|| t.view.stopping_failure())
            .or_else(|| t.view.current_step())
            .map(|s| s.number),
    };
    let id = t.id();
    let (waiting_for, commands): (Option<&str>, Vec<String>) = match t.run.status {
        RunStatus::Waiting if t.view.wait_reason == Some(WaitReason::Interrupted) => {
            let n = step_number.unwrap_or(1);
            (
                Some("decision"),
                vec![
                    format!("sop retry {id}"),
                    format!("sop skip {id} --step {n} --reason TEXT"),
                ],
            )
        }
        RunStatus::Waiting => (
            Some("person"),
            vec![
                format!("sop done {id} [--note TEXT] [--output KEY=VALUE]"),
                format!("sop done {id} --failed --note TEXT"),
            ],
        ),
        RunStatus::Failed => {
            let n = step_number.unwrap_or(1);
            (
                Some("decision"),
                vec![
                    format!("sop retry {id}"),
                    format!("sop skip {id} --step {n} --reason TEXT"),
                ],
            )
        }
        RunStatus::AwaitingApproval => (
            Some("approval"),
            vec![
                format!("sop approve {id}"),
                format!("sop reject {id} --comment TEXT"),
            ],
        ),
        RunStatus::Paused => (Some("resume"), vec![format!("sop resume {id}")]),
        RunStatus::Pending => (Some("engine"), vec![format!("sop resume {id}")]),
        RunStatus::Running => (Some("engine"), vec![format!("sop status {id}")]),
        _ => (None, Vec::new()),
    };
    let vars = t.variables();
    let outputs = t.outputs();
    let secrets = t.secrets();
    let step = step_number.and_then(|n| t.step_def(n)).map(|def| {
        let template_vars = Vars::new(&vars).with_steps(&outputs);
        let commands: Vec<String> = def
            .commands()
            .map(|b| redact::hide(&render_command_lenient(&b.code, &template_vars), &secrets))
            .collect();
        let text = instructions(def, &vars, &outputs, &secrets);
        let (description, checklist): (Vec<&str>, Vec<&str>) =
            text.lines().partition(|l| !l.starts_with("[ ] "));
        let record = t.step_record(def.number);
        json!({
            "number": def.number,
            "of": t.step_count(),
            "title": def.title,
            "kind": def.kind,
            "status": record.map(|s| s.status),
            "attempts": record.map_or(0, |s| s.attempts),
            "exit_code": record.and_then(|s| s.exit_code),
            "output_tail": record.map(|s| sop_engine::documents::shown_tail(s, &secrets)).unwrap_or_default(),
            "description": description.join("\n"),
            "checklist": checklist.iter().map(|l| &l[4..]).collect::<Vec<_>>(),
            "commands": if def.kind == StepKind::Automated { json!(commands) } else { json!([]) },
            "if": def.options.condition.as_ref().map(|c| c.source()),
            // null while the condition waits to be decided (when the run reaches the step).
            "if_met": def.options.condition.as_ref().and_then(|_| {
                let due = t.view.step(def.number).is_some_and(|s| s.condition_due());
                (!due).then_some(true)
            }),
        })
    });
    let gate = match t.run.status {
        RunStatus::AwaitingApproval => service.gates_of_run(caller, t)?.into_iter().next(),
        _ => None,
    };
    Ok(json!({
        "run": id,
        "run_id": id,
        "sop": t.run.sop_name,
        "status": t.run.status,
        "reason": t.run.reason,
        "wait_reason": t.view.wait_reason.map(|w| w.as_str()),
        "step": step,
        "waiting_for": waiting_for,
        "commands": commands,
        "gate": gate,
        "outputs": json::outputs_by_step(t),
        "hint": report::next_hint(t),
    }))
}

fn text(v: &Value) -> String {
    let mut out = format!(
        "run {} · {} · {}\n",
        v["run"].as_str().unwrap_or_default(),
        v["sop"].as_str().unwrap_or_default(),
        v["status"].as_str().unwrap_or_default()
    );
    if let Some(step) = v["step"].as_object() {
        out.push_str(&format!(
            "step {}/{}: {} ({}, {})\n",
            step["number"],
            step["of"],
            step["title"].as_str().unwrap_or_default(),
            step["kind"].as_str().unwrap_or_default(),
            step["status"].as_str().unwrap_or("pending"),
        ));
        if let Some(c) = step["if"].as_str() {
            let state = match step["if_met"].as_bool() {
                Some(true) => "met",
                _ => "decided when the run reaches the step",
            };
            out.push_str(&format!("  if: {c} ({state})\n"));
        }
        if let Some(d) = step["description"].as_str().filter(|d| !d.is_empty()) {
            for l in d.lines() {
                out.push_str(&format!("  {l}\n"));
            }
        }
        for item in step["checklist"].as_array().into_iter().flatten() {
            out.push_str(&format!("  [ ] {}\n", item.as_str().unwrap_or_default()));
        }
        for c in step["commands"].as_array().into_iter().flatten() {
            let command = c.as_str().unwrap_or_default().trim_end();
            for (i, line) in command.lines().enumerate() {
                let lead = if i == 0 { "$" } else { " " };
                out.push_str(&format!("  {lead} {line}\n"));
            }
        }
    }
    match v["waiting_for"].as_str() {
        None => out.push_str("nothing is next: the run is finished\n"),
        Some(who) => {
            let what = match who {
                "person" => "a person to do this step",
                "decision" => "a decision on this step",
                "approval" => "an approval",
                "resume" => "sop resume",
                _ => "the engine",
            };
            out.push_str(&format!("waiting for: {what}\n"));
            for c in v["commands"].as_array().into_iter().flatten() {
                out.push_str(&format!("  {}\n", c.as_str().unwrap_or_default()));
            }
        }
    }
    out
}
