//! `sop skip RUN --step N --reason TEXT`: go on without a failed, interrupted or manual step.

use crate::config::Context;
use crate::engine::driver::continue_run;
use crate::engine::{Change, Engine, LeaseUse, Progress, StepRecord, commit, identity};
use crate::exit::Exit;
use sop_core::run::RunEvent;

#[derive(clap::Args)]
pub struct Args {
    /// A run id, or a prefix of one that matches a single run.
    #[arg(value_name = "RUN")]
    pub run: String,

    /// The step to skip.
    #[arg(long, value_name = "N")]
    pub step: u32,

    /// Why, for the record.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,

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
    let eng = Engine::new(ctx, store.as_ref(), actor.clone(), out)?;
    let mut t = eng.load(&args.run)?;
    let record = StepRecord {
        step: args.step,
        outcome: Some("skipped".into()),
        note: Some(format!("skipped by {actor}: {}", args.reason)),
        ..StepRecord::default()
    };
    let change = Change::new(RunEvent::Skip { step: args.step }, LeaseUse::Take)
        .record(record)
        .detail("reason", args.reason.as_str());
    let decision = commit(&eng, &mut t, &change)?;
    eng.out
        .line(&format!("○ step {} skipped by {actor}", args.step));
    continue_run(&eng, &mut t, decision.action, args.json)
}
