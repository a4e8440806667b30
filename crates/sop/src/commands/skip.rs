//! `sop skip RUN --step N --reason TEXT`: go on without a failed, interrupted or manual step.

use super::run_target::RunTarget;
use crate::config::Context;
use crate::engine::driver::continue_run;
use crate::engine::{Change, LeaseUse, StepRecord, commit};
use crate::exit::Exit;
use sop_core::run::RunEvent;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,

    /// The step to skip.
    #[arg(long, value_name = "N")]
    pub step: u32,

    /// Why, for the record.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    args.target.with_run(ctx, |eng, t| {
        let actor = &eng.actor;
        let record = StepRecord {
            step: args.step,
            outcome: Some("skipped".into()),
            note: Some(format!("skipped by {actor}: {}", args.reason)),
            ..StepRecord::default()
        };
        let change = Change::new(RunEvent::Skip { step: args.step }, LeaseUse::Take)
            .record(record)
            .detail("reason", args.reason.as_str());
        let decision = commit(eng, t, &change)?;
        eng.out
            .line(&format!("○ step {} skipped by {actor}", args.step));
        continue_run(eng, t, decision.action, args.target.json)
    })
}
