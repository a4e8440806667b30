//! `sop next RUN`: the step a run is at, its instructions and checklist, and what it waits for —
//! the loop an agent or a script drives (`sop next`, do the work, `sop done`).

use crate::config::Context;
use crate::exit::Exit;
use crate::render::terminal;
use crate::render::{json, report};
use serde_json::{Value, json};
use sop_core::run::RunStatus;
use sop_engine::Caller;
use sop_engine::documents::{NextStepDocument, WaitingFor};
use sop_engine::engine::{Tracked, identity};

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
    let (t, doc) = service.next_step(&caller, &args.run)?;
    let mut value = serde_json::to_value(&doc)?;
    value["commands"] = json!(commands(&t, &doc));
    value["hint"] = json!(report::next_hint(&t));
    if args.json {
        json::print(&value)?;
    } else {
        print!("{}", terminal::for_stdout(&text(&value)));
    }
    Ok(Exit::Success)
}

/// The commands that move the run on from where it waits.
fn commands(t: &Tracked, doc: &NextStepDocument) -> Vec<String> {
    let id = t.id();
    let n = doc.step.as_ref().map_or(1, |s| s.number);
    match doc.waiting_for {
        Some(WaitingFor::Decision) => vec![
            format!("sop retry {id}"),
            format!("sop skip {id} --step {n} --reason TEXT"),
        ],
        Some(WaitingFor::Person) => vec![
            format!("sop done {id} [--note TEXT] [--output KEY=VALUE]"),
            format!("sop done {id} --failed --note TEXT"),
        ],
        Some(WaitingFor::Approval) => vec![
            format!("sop approve {id}"),
            format!("sop reject {id} --comment TEXT"),
        ],
        Some(WaitingFor::Resume) => vec![format!("sop resume {id}")],
        Some(WaitingFor::Engine) if t.run.status == RunStatus::Pending => {
            vec![format!("sop resume {id}")]
        }
        Some(WaitingFor::Engine) => vec![format!("sop status {id}")],
        None => Vec::new(),
    }
}

/// Text that came from variables or step output, safe for a terminal: control characters
/// (escape sequences above all) are shown escaped instead of acting on the screen.
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
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
            &shown(step["title"].as_str().unwrap_or_default()),
            step["kind"].as_str().unwrap_or_default(),
            step["status"].as_str().unwrap_or("pending"),
        ));
        if let Some(c) = step["if"].as_str().map(shown) {
            let state = match step["if_met"].as_bool() {
                Some(true) => "met",
                _ => "decided when the run reaches the step",
            };
            out.push_str(&format!("  if: {c} ({state})\n"));
        }
        if let Some(d) = step["description"].as_str().filter(|d| !d.is_empty()) {
            for l in d.lines() {
                out.push_str(&format!("  {}\n", shown(l)));
            }
        }
        for item in step["checklist"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "  [ ] {}\n",
                shown(item.as_str().unwrap_or_default())
            ));
        }
        for c in step["commands"].as_array().into_iter().flatten() {
            let command = shown(c.as_str().unwrap_or_default().trim_end());
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
