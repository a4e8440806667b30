//! `sop retry RUN [--step N]`: run a failed or interrupted step again, then go on in the
//! foreground.

use super::run_target::RunTarget;
use crate::config::Context;
use crate::engine::driver::continue_run;
use crate::engine::{Change, LeaseUse, commit};
use crate::exit::Exit;
use sop_core::run::RunEvent;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,

    /// The step to run again (default: the one that failed or was interrupted).
    #[arg(long, value_name = "N")]
    pub step: Option<u32>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    args.target.with_run(ctx, |eng, t| {
        let change = Change::new(RunEvent::Retry { step: args.step }, LeaseUse::Take);
        let decision = commit(eng, t, &change)?;
        continue_run(eng, t, decision.action, args.target.json)
    })
}
