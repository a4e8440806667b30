//! `sop cancel RUN [--reason TEXT]`: stop a run now; a running step's process group gets
//! SIGTERM, then SIGKILL after the grace period.

use crate::config::Context;
use crate::engine::{Change, Engine, LeaseUse, Progress, commit, identity};
use crate::executor::{Termination, terminate_group};
use crate::exit::Exit;
use sop_core::run::{Action, RunEvent};

#[derive(clap::Args)]
pub struct Args {
    /// A run id, or a prefix of one that matches a single run.
    #[arg(value_name = "RUN")]
    pub run: String,

    /// Why, for the audit trail.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,

    /// Act as this user (default: $SOP_USER, else the OS user).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let store = sop_store::open_from_env()?;
    let actor = identity::who(args.as_user.as_deref())?;
    let eng = Engine::new(ctx, store.as_ref(), actor.clone(), Progress::Plain)?;
    let mut t = eng.load(&args.run)?;
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
    let decision = commit(&eng, &mut t, &change)?;
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
    eng.out.finished(&t);
    Ok(Exit::Success)
}
