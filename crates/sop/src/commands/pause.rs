//! `sop pause RUN`: stop the run before its next step; a running step finishes first.

use super::run_target::RunTarget;
use crate::config::Context;
use crate::engine::{Change, LeaseUse, commit, json};
use crate::exit::Exit;
use sop_core::run::{Action, RunEvent};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    args.target.with_run(ctx, |eng, t| {
        let change = Change::new(RunEvent::Pause, LeaseUse::Untouched)
            .reason(format!("paused by {}", eng.actor));
        let decision = commit(eng, t, &change)?;
        let id = t.id().to_string();
        match (decision.action, t.view.running_step()) {
            (Action::Continue, Some(step)) => eng.out.line(&format!(
                "⏸ run {id} pauses after step {} finishes; sop resume {id} goes on",
                step.number
            )),
            _ => eng
                .out
                .line(&format!("⏸ run {id} paused; sop resume {id} goes on")),
        }
        if args.target.json {
            json::print_run(eng, t)?;
        }
        Ok(Exit::Success)
    })
}
