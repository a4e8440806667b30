//! `sop skip RUN --step N --reason TEXT`: go on without a failed, interrupted or manual step.

use super::run_target::{RunTarget, finish};
use crate::config::Context;
use crate::exit::Exit;

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
    let service = ctx.service()?;
    let out = args.target.progress();
    let caller = args.target.caller(ctx, &out)?;
    let t = service.skip(&caller, &args.target.run, args.step, &args.reason, true)?;
    finish(ctx, &service, &out, &t, args.target.json)
}
