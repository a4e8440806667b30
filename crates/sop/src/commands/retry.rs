//! `sop retry RUN [--step N]`: run a failed or interrupted step again, then go on in the
//! foreground.

use crate::config::Context;
use crate::engine::driver::continue_run;
use crate::engine::{Change, Engine, LeaseUse, Progress, commit, identity};
use crate::exit::Exit;
use sop_core::run::RunEvent;

#[derive(clap::Args)]
pub struct Args {
    /// A run id, or a prefix of one that matches a single run.
    #[arg(value_name = "RUN")]
    pub run: String,

    /// The step to run again (default: the one that failed or was interrupted).
    #[arg(long, value_name = "N")]
    pub step: Option<u32>,

    /// Act as this user (default: $SOP_USER, else the OS user).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,

    /// Print only the final run object, as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let store = sop_store::open_from_env()?;
    let actor = identity::who(args.as_user.as_deref())?;
    let out = if args.json {
        Progress::Quiet
    } else {
        Progress::Plain
    };
    let eng = Engine::new(ctx, store.as_ref(), actor, out)?;
    let mut t = eng.load(&args.run)?;
    let change = Change::new(RunEvent::Retry { step: args.step }, LeaseUse::Take);
    let decision = commit(&eng, &mut t, &change)?;
    continue_run(&eng, &mut t, decision.action, args.json)
}
