//! `sop resume RUN`: go on with a paused (or pending, or recovered) run in the foreground.

use super::run_target::{RunTarget, finish};
use crate::config::Context;
use crate::exit::Exit;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let service = ctx.service()?;
    let out = args.target.progress();
    let caller = args.target.caller(ctx, &out)?;
    let t = service.resume(&caller, &args.target.run, true)?;
    finish(ctx, &service, &out, &t, args.target.json)
}
