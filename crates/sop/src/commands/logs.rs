//! `sop logs RUN [--step N]`: the stored output of a run's steps.

use crate::config::Context;
use crate::exit::{Exit, Fail};
use crate::render::json;
use crate::render::terminal;
use sop_engine::Caller;
use sop_engine::documents::StepDocument;
use sop_engine::engine::{Tracked, identity, redact};
use std::io::Write;

#[derive(clap::Args)]
pub struct Args {
    /// A run id, or a prefix of one that matches a single run.
    #[arg(value_name = "RUN")]
    pub run: String,

    /// Only this step's output, exactly as stored.
    #[arg(long, value_name = "N")]
    pub step: Option<u32>,

    /// Print JSON: each step's status, exit code and output (secret values hidden).
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let service = ctx.service()?;
    let caller = Caller::quiet(identity::who(&ctx.settings, None)?);
    let t = service.load_run(&caller, &args.run)?;
    let secrets = t.secrets();
    if args.json {
        let steps: Vec<StepDocument> = t
            .steps
            .iter()
            .filter(|s| args.step.is_none_or(|n| s.number == n))
            .map(|s| StepDocument::new(s, t.step_def(s.number).map(|d| d.kind), &secrets))
            .collect();
        if let Some(n) = args.step.filter(|_| steps.is_empty()) {
            return Err(no_step(&t, n));
        }
        json::print(&serde_json::json!({"run_id": t.id(), "steps": steps}))?;
        return Ok(Exit::Success);
    }
    let mut out = std::io::stdout().lock();
    if let Some(n) = args.step {
        let step = t.step_record(n).ok_or_else(|| no_step(&t, n))?;
        let bytes = redact::hide_bytes(&step.output_tail, &secrets);
        if terminal::is_terminal(false) {
            out.write_all(&terminal::shown_bytes(&bytes))?;
        } else {
            out.write_all(&bytes)?;
        }
        return Ok(Exit::Success);
    }
    for step in &t.steps {
        let mut facts = vec![step.status.to_string()];
        if let Some(code) = step.exit_code {
            facts.push(format!("exit {code}"));
        }
        writeln!(
            out,
            "── step {}: {} ({})",
            step.number,
            terminal::for_stdout(&step.title),
            facts.join(", ")
        )?;
        let hidden = redact::hide(&step.output_text(), &secrets);
        let text = terminal::for_stdout(&hidden);
        // Only what passed the kept tail was cut; hidden secrets shorten the tail too.
        let kept = sop_engine::executor::TAIL_BYTES as u64;
        if step.output_size > kept {
            writeln!(
                out,
                "   (the last {} KiB of {} bytes)",
                kept / 1024,
                step.output_size
            )?;
        }
        if text.is_empty() {
            writeln!(out, "   (no output)")?;
        } else {
            out.write_all(text.as_bytes())?;
            if !text.ends_with('\n') {
                writeln!(out)?;
            }
        }
    }
    Ok(Exit::Success)
}

fn no_step(t: &Tracked, n: u32) -> anyhow::Error {
    Fail::invalid(format!(
        "run {} has no step {n}; its steps are 1 to {}",
        t.id(),
        t.steps.len()
    ))
}
