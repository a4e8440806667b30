//! `sop done RUN`: a person reports the waiting step done (or failed with `--failed`); the run
//! then goes on in the foreground.

use super::run_target::RunTarget;
use crate::config::Context;
use crate::engine::driver::continue_run;
use crate::engine::{Change, LeaseUse, StepRecord, commit};
use crate::exit::{Exit, Fail};
use sop_core::run::RunEvent;
use sop_core::step_output::{Outputs, key_problem};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,

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
    args.target.with_run(ctx, |eng, t| {
        let actor = &eng.actor;
        let step = args
            .step
            .or_else(|| t.view.waiting_step().map(|s| s.number))
            .or(t.run.current_step)
            .unwrap_or(1);
        let (event, outcome) = if args.failed {
            (RunEvent::FailedByPerson { step }, "failed")
        } else {
            (RunEvent::DoneByPerson { step }, "done")
        };
        let record = StepRecord {
            step,
            outcome: Some(outcome.into()),
            note: args.note.clone(),
            outputs: (!outputs.is_empty()).then(|| outputs.clone()),
            ..StepRecord::default()
        };
        let mut change = Change::new(event, LeaseUse::Take).record(record);
        if args.failed {
            let note = args.note.as_deref().unwrap_or_default();
            change = change.reason(format!("step {step} failed (reported by {actor}): {note}"));
        }
        let decision = commit(eng, t, &change)?;
        eng.out.line(&if args.failed {
            format!("✗ step {step} marked failed by {actor}")
        } else {
            format!("✓ step {step} done by {actor}")
        });
        continue_run(eng, t, decision.action, args.target.json)
    })
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
