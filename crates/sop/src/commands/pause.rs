//! `sop pause RUN`: stop the run before its next step; a running step finishes first.

use crate::config::Context;
use crate::engine::{Change, Engine, LeaseUse, Progress, commit, identity};
use crate::exit::Exit;
use sop_core::run::{Action, RunEvent};

#[derive(clap::Args)]
pub struct Args {
    /// A run id, or a prefix of one that matches a single run.
    #[arg(value_name = "RUN")]
    pub run: String,

    /// Act as this user (default: $SOP_USER, else the OS user).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let store = sop_store::open_from_env()?;
    let actor = identity::who(args.as_user.as_deref())?;
    let eng = Engine::new(ctx, store.as_ref(), actor.clone(), Progress::Plain)?;
    let mut t = eng.load(&args.run)?;
    let change =
        Change::new(RunEvent::Pause, LeaseUse::Untouched).reason(format!("paused by {actor}"));
    let decision = commit(&eng, &mut t, &change)?;
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
    Ok(Exit::Success)
}
