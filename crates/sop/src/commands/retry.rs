//! `sop retry RUN [--step N]`: run a failed or interrupted step again, then go on in the
//! foreground.

use super::run_target::{RunTarget, finish};
use crate::config::Context;
use crate::exit::Exit;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,

    /// The step to run again (default: the one that failed or was interrupted).
    #[arg(long, value_name = "N")]
    pub step: Option<u32>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let service = ctx.service()?;
    let out = args.target.progress();
    let caller = args.target.caller(ctx, &out)?;
    let t = service.retry(&caller, &args.target.run, args.step, true)?;
    finish(ctx, &service, &out, &t, args.target.json)
}
