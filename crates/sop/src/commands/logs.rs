//! `sop logs RUN [--step N]`: the stored output of a run's steps.

use crate::config::Context;
use crate::exit::{Exit, Fail};
use sop_engine::Caller;
use sop_engine::engine::{identity, redact};
use std::io::Write;

#[derive(clap::Args)]
pub struct Args {
    /// A run id, or a prefix of one that matches a single run.
    #[arg(value_name = "RUN")]
    pub run: String,

    /// Only this step's output, exactly as stored.
    #[arg(long, value_name = "N")]
    pub step: Option<u32>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let service = ctx.service()?;
    let caller = Caller::quiet(identity::who(&ctx.settings, None)?);
    let t = service.load_run(&caller, &args.run)?;
    let secrets = t.secrets();
    let mut out = std::io::stdout().lock();
    if let Some(n) = args.step {
        let step = t.step_record(n).ok_or_else(|| {
            Fail::invalid(format!(
                "run {} has no step {n}; its steps are 1 to {}",
                t.id(),
                t.steps.len()
            ))
        })?;
        out.write_all(&redact::hide_bytes(&step.output_tail, &secrets))?;
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
            step.title,
            facts.join(", ")
        )?;
        let text = redact::hide(&step.output_text(), &secrets);
        if step.output_size > step.output_tail.len() as u64 {
            writeln!(
                out,
                "   (the last {} of {} bytes)",
                step.output_tail.len(),
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
