//! `sop pause RUN`: stop the run before its next step; a running step finishes first.

use super::run_target::RunTarget;
use crate::config::Context;
use crate::exit::Exit;
use crate::render::json;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let service = ctx.service()?;
    let out = args.target.progress();
    let caller = args.target.caller(ctx, &out)?;
    let paused = service.pause(&caller, &args.target.run)?;
    let id = paused.tracked.id();
    match paused.after_step {
        Some(step) => out.line(&format!(
            "⏸ run {id} pauses after step {step} finishes; sop resume {id} goes on"
        )),
        None => out.line(&format!("⏸ run {id} paused; sop resume {id} goes on")),
    }
    if args.target.json {
        json::print_run(&service, &paused.tracked)?;
    }
    Ok(Exit::Success)
}
