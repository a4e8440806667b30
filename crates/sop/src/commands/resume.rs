//! `sop resume RUN`: go on with a paused (or pending, or recovered) run in the foreground.

use crate::config::Context;
use crate::engine::commit::NeedsLease;
use crate::engine::driver::continue_run;
use crate::engine::{Change, Engine, LeaseUse, Progress, commit, identity};
use crate::exit::Exit;
use sop_core::run::RunEvent;
use sop_store::StoreError;

#[derive(clap::Args)]
pub struct Args {
    /// A run id, or a prefix of one that matches a single run.
    #[arg(value_name = "RUN")]
    pub run: String,

    /// Act as this user (default: $SOP_USER, else the OS user).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,

    /// Print only the final run object, as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Lost races with the process finishing the run's current step before giving up.
const MAX_TRIES: u32 = 8;

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
    for _ in 0..MAX_TRIES {
        match commit(&eng, &mut t, &Change::new(RunEvent::Resume, LeaseUse::Take)) {
            Ok(decision) => return continue_run(&eng, &mut t, decision.action, args.json),
            Err(e) if is_lease_held(&e) => {
                // The step that was running when the run was paused has not finished yet: its
                // process keeps the lease and goes on once the run is running again.
                match commit(
                    &eng,
                    &mut t,
                    &Change::new(RunEvent::Resume, LeaseUse::Untouched),
                ) {
                    Ok(decision) => {
                        return continue_run(&eng, &mut t, decision.action, args.json);
                    }
                    Err(e) if e.downcast_ref::<NeedsLease>().is_some() => t.reload(&eng)?,
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        }
    }
    anyhow::bail!(
        "run {} kept changing hands while resuming it; try again",
        t.id()
    )
}

fn is_lease_held(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<StoreError>(),
        Some(StoreError::LeaseHeld { .. })
    )
}
