//! `sop cancel RUN [--reason TEXT]`: stop a run now; a running step's process group gets
//! SIGTERM, then SIGKILL after the grace period.

use super::run_target::{RunTarget, finish};
use crate::config::Context;
use crate::exit::Exit;
use sop_engine::ops::KillReport;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,

    /// Why, for the audit trail.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let service = ctx.service()?;
    let out = args.target.progress();
    let caller = args.target.caller(ctx, &out)?;
    let cancelled = service.cancel(&caller, &args.target.run, args.reason.as_deref())?;
    if let Some((step, report)) = &cancelled.killed {
        out.line(&match report {
            KillReport::Killed => format!("■ step {step} killed after the grace period"),
            KillReport::Stopped => format!("■ step {step} stopped"),
            KillReport::Unreachable(e) => format!(
                "■ step {step}: cannot signal its processes ({e}); the process running the run stops it"
            ),
            KillReport::LeftToDriver => {
                format!("■ step {step} is stopped by the process running the run")
            }
        });
    }
    finish(ctx, &service, &out, &cancelled.tracked, args.target.json)?;
    Ok(Exit::Success)
}
