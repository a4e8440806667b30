//! `sop cancel RUN [--reason TEXT]`: stop a run now; a running step's process group gets
//! SIGTERM, then SIGKILL after the grace period.

use super::run_target::RunTarget;
use crate::config::Context;
use crate::engine::{Change, LeaseUse, commit, json};
use crate::executor::{Termination, terminate_group};
use crate::exit::Exit;
use sop_core::run::{Action, RunEvent};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,

    /// Why, for the audit trail.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    args.target.with_run(ctx, |eng, t| {
        let actor = &eng.actor;
        let pgid = t
            .view
            .running_step()
            .and_then(|s| t.step_record(s.number))
            .and_then(|s| s.process_group);
        let reason = match &args.reason {
            Some(r) => format!("cancelled by {actor}: {r}"),
            None => format!("cancelled by {actor}"),
        };
        let mut change = Change::new(RunEvent::Cancel, LeaseUse::Untouched).reason(reason);
        if let Some(r) = &args.reason {
            change = change.detail("reason", r.as_str());
        }
        let decision = commit(eng, t, &change)?;
        if let Action::Kill { step } = decision.action {
            match pgid.map(|p| terminate_group(p, eng.settings.executor.kill_grace)) {
                Some(Ok(Termination::Killed)) => {
                    eng.out.line(&format!("■ step {step} killed after the grace period"))
                }
                Some(Ok(_)) => eng.out.line(&format!("■ step {step} stopped")),
                Some(Err(e)) => eng.out.line(&format!(
                    "■ step {step}: cannot signal its processes ({e}); the process running the run stops it"
                )),
                None => eng.out.line(&format!(
                    "■ step {step} is stopped by the process running the run"
                )),
            }
        }
        if args.target.json {
            json::print_run(eng, t)?;
        } else {
            eng.out.finished(t);
        }
        Ok(Exit::Success)
    })
}
