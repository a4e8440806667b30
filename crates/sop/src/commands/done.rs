//! `sop done RUN`: a person reports the waiting step done (or failed with `--failed`); the run
//! then goes on in the foreground.

use super::hand_off::{self, Foreground};
use super::run_target::{RunTarget, finish};
use crate::config::Context;
use crate::exit::{Exit, Fail};
use sop_core::step_output::{Outputs, key_problem};
use sop_engine::ops::StepCompletion;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,

    #[command(flatten)]
    pub foreground: Foreground,

    /// The step (default: the one waiting).
    #[arg(long, value_name = "N")]
    pub step: Option<u32>,

    /// What was done, for the record.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,

    /// An output later steps see as `steps.N.KEY` and `SOP_STEP_<N>_<KEY>` (repeatable).
    #[arg(long = "output", value_name = "KEY=VALUE")]
    pub outputs: Vec<String>,

    /// The step failed; the note says why.
    #[arg(long, requires = "note")]
    pub failed: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let outputs = parse_outputs(&args.outputs)?;
    if args.failed && !outputs.is_empty() {
        return Err(Fail::invalid(
            "--output records what a finished step produced; a failed step has no outputs",
        ));
    }
    let service = ctx.service()?;
    let out = args.target.progress();
    let server = args.foreground.server(&service)?;
    let caller = args
        .foreground
        .caller(args.target.caller(ctx, &out)?, &server);
    let completion = StepCompletion {
        step: args.step,
        note: args.note,
        outputs,
        failed: args.failed,
    };
    let (_, t) = service.complete_step(&caller, &args.target.run, &completion, true)?;
    if let Some(exit) = hand_off::report(&service, &out, &t, &server, args.target.json)? {
        return Ok(exit);
    }
    finish(ctx, &service, &out, &t, args.target.json)
}

/// `KEY=VALUE` pairs, keys checked like those a step writes to `$SOP_OUTPUT`.
fn parse_outputs(pairs: &[String]) -> anyhow::Result<Outputs> {
    let mut outputs = Outputs::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(Fail::invalid(format!(
                "--output `{pair}` has no `=`; write --output KEY=VALUE"
            )));
        };
        if let Some(problem) = key_problem(key) {
            return Err(Fail::invalid(format!("--output `{pair}`: {problem}")));
        }
        if outputs.insert(key.to_string(), value.to_string()).is_some() {
            return Err(Fail::invalid(format!(
                "--output `{key}` is given twice; give each key once"
            )));
        }
    }
    Ok(outputs)
}
