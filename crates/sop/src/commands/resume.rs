//! `sop resume RUN`: go on with a paused (or pending, or recovered) run in the foreground.

use super::run_target::RunTarget;
use crate::config::Context;
use crate::engine::commit::NeedsLease;
use crate::engine::driver::continue_run;
use crate::engine::{Change, LeaseUse, commit};
use crate::exit::Exit;
use sop_core::run::RunEvent;
use sop_store::StoreError;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,
}

/// Lost races with the process finishing the run's current step before giving up.
const MAX_TRIES: u32 = 8;

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let json = args.target.json;
    args.target.with_run(ctx, |eng, t| {
        for _ in 0..MAX_TRIES {
            match commit(eng, t, &Change::new(RunEvent::Resume, LeaseUse::Take)) {
                Ok(decision) => return continue_run(eng, t, decision.action, json),
                Err(e) if is_lease_held(&e) => {
                    // The step that was running when the run was paused has not finished yet:
                    // its process keeps the lease and goes on once the run is running again.
                    let change = Change::new(RunEvent::Resume, LeaseUse::Untouched);
                    match commit(eng, t, &change) {
                        Ok(decision) => return continue_run(eng, t, decision.action, json),
                        Err(e) if e.downcast_ref::<NeedsLease>().is_some() => t.reload(eng)?,
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
    })
}

fn is_lease_held(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<StoreError>(),
        Some(StoreError::LeaseHeld { .. })
    )
}
