//! `sop retry RUN [--step N]`: run a failed or interrupted step again, then go on in the
//! foreground.

use super::hand_off::{self, Foreground};
use super::run_target::{RunTarget, finish};
use crate::config::Context;
use crate::exit::Exit;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,

    #[command(flatten)]
    pub foreground: Foreground,

    /// The step to run again (default: the one that failed or was interrupted).
    #[arg(long, value_name = "N")]
    pub step: Option<u32>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let service = ctx.service()?;
    let out = args.target.progress();
    let server = args.foreground.server(&service)?;
    let caller = args
        .foreground
        .caller(args.target.caller(ctx, &out)?, &server);
    let t = service.retry(&caller, &args.target.run, args.step, true)?;
    if let Some(exit) = hand_off::report(&service, &out, &t, &server, args.target.json)? {
        return Ok(exit);
    }
    finish(ctx, &service, &out, &t, args.target.json)
}
