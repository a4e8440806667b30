//! `sop status [RUN]`: recent runs, or one run with its steps, gates and variables.

use crate::config::Context;
use crate::engine::recovery::{needs_recovery, recover};
use crate::engine::{Engine, Progress, Tracked, identity, json, lookup, report};
use crate::exit::{Exit, Fail};
use sop_core::run::RunStatus;
use sop_store::RunFilter;

#[derive(clap::Args)]
pub struct Args {
    /// A run id, or a prefix of one that matches a single run. Without it: recent runs.
    #[arg(value_name = "RUN")]
    pub run: Option<String>,

    /// Only runs of this SOP.
    #[arg(long, value_name = "NAME")]
    pub sop: Option<String>,

    /// Only runs in this state (pending, running, waiting, paused, succeeded, failed, ...).
    #[arg(long, value_name = "STATUS")]
    pub status: Option<RunStatus>,

    /// How many runs to list, newest first.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: u32,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let store = sop_store::open_from_env()?;
    let eng = Engine::new(ctx, store.as_ref(), identity::who(None)?, Progress::Quiet)?;
    if let Some(id) = &args.run {
        if args.sop.is_some() || args.status.is_some() {
            return Err(Fail::invalid(
                "--sop and --status filter the list of runs; leave them out when naming a RUN",
            ));
        }
        let run = lookup::find_run(store.as_ref(), id)?;
        if run.definition_snapshot.is_none() {
            let steps = store.steps(&run.id)?;
            if args.json {
                json::print(&json::pruned(&run, &steps, eng.clock.now()))?;
            } else {
                print!("{}", report::pruned(&run, &steps));
            }
            return Ok(Exit::Success);
        }
        let t = eng.load(&run.id)?;
        if args.json {
            json::print_run(&eng, &t)?;
        } else {
            let decisions = store.run_decisions(t.id())?;
            print!("{}", report::detail(&t, &decisions, eng.clock.now()));
        }
        return Ok(Exit::Success);
    }
    if args.limit == 0 {
        return Err(Fail::invalid("--limit must be at least 1"));
    }
    let filter = RunFilter {
        sop_name: args.sop.clone(),
        statuses: args.status.into_iter().collect(),
        limit: args.limit,
    };
    // A run waiting at a gate whose deadline passed is listed as what it now is.
    crate::approval::expiry::sweep(&eng)?;
    let mut runs = store.list_runs(&filter)?;
    if recover_listed(&eng, &runs)? {
        runs = store.list_runs(&filter)?;
    }
    if args.json {
        json::print(&json::summaries(&runs, eng.clock.now()))?;
    } else if runs.is_empty() {
        let filtered = args.sop.is_some() || args.status.is_some();
        if filtered {
            println!("no runs match");
        } else {
            println!("no runs yet; start one with `sop execute NAME`");
        }
    } else {
        print!("{}", report::table(&runs, eng.clock.now()));
    }
    Ok(Exit::Success)
}

/// Recovers listed runs whose process died, so the list shows where they really are.
fn recover_listed(eng: &Engine, runs: &[sop_store::RunSummary]) -> anyhow::Result<bool> {
    let mut any = false;
    for summary in runs.iter().filter(|r| r.status.is_active()) {
        let run = eng.store.run(&summary.id)?;
        if run.lease_owner.is_none() && run.status != RunStatus::Running {
            continue;
        }
        let mut t = Tracked::load(eng, &run.id)?;
        if needs_recovery(eng, &t) {
            any |= recover(eng, &mut t)?;
        }
    }
    Ok(any)
}
