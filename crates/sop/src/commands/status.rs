//! `sop status [RUN]`: recent runs, or one run with its steps, gates and variables.

use crate::config::Context;
use crate::exit::{Exit, Fail};
use crate::render::terminal;
use crate::render::{json, report};
use sop_core::run::RunStatus;
use sop_engine::Caller;
use sop_engine::engine::identity;
use sop_engine::ops::RunRecord;
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
    let service = ctx.service()?;
    let caller = Caller::quiet(identity::who(&ctx.settings, None)?);
    let now = service.clock().now();
    if let Some(id) = &args.run {
        if args.sop.is_some() || args.status.is_some() {
            return Err(Fail::invalid(
                "--sop and --status filter the list of runs; leave them out when naming a RUN",
            ));
        }
        match service.run_record(&caller, id)? {
            RunRecord::Pruned { run, steps } if args.json => {
                json::print(&json::pruned(&run, &steps, now))?
            }
            RunRecord::Pruned { run, steps } => {
                print!("{}", terminal::for_stdout(&report::pruned(&run, &steps)))
            }
            RunRecord::Whole(t) if args.json => json::print_run(&service, &t)?,
            RunRecord::Whole(t) => {
                let decisions = service.store().run_decisions(t.id())?;
                let claimed_by = service
                    .store()
                    .audit_entries(Some(t.id()))?
                    .into_iter()
                    .find(|e| e.kind == "run.created")
                    .and_then(|e| e.claimed_by());
                let detail = report::detail(&t, &decisions, claimed_by.as_deref(), now);
                print!("{}", terminal::for_stdout(&detail));
                for n in service.store().notifications(Some(t.id()))? {
                    if n.state() == "pending" && n.attempts == 0 {
                        continue;
                    }
                    let to = sop_core::notify::Channel::parse(&n.channel)
                        .map(|c| c.label())
                        .unwrap_or_else(|_| "an unknown channel".into());
                    println!(
                        "notification `{}` to {to}: {} after {} attempt(s){}",
                        n.event,
                        n.state(),
                        n.attempts,
                        n.last_error
                            .as_deref()
                            .map(|e| format!(" ({e})"))
                            .unwrap_or_default()
                    );
                }
            }
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
    let runs = service.list_runs(&caller, &filter)?.runs;
    // No run of a name no SOP has: most likely a typo, which "no runs match" would hide.
    if let Some(name) = args.sop.as_deref().filter(|_| runs.is_empty())
        && let Ok(catalog) = sop_engine::catalog::Catalog::open(ctx.settings.sop_dir())
    {
        catalog.entry(name)?;
    }
    if args.json {
        json::print(&json::summaries(&runs, now))?;
    } else if runs.is_empty() {
        let filtered = args.sop.is_some() || args.status.is_some();
        if filtered {
            println!("no runs match");
        } else {
            println!("no runs yet; start one with `sop execute NAME`");
        }
    } else {
        print!("{}", report::table(&runs, now));
    }
    let failed = service.store().notification_counts()?.failed;
    if failed > 0 && !args.json {
        println!(
            "{failed} notification(s) could not be delivered after their last attempt; \
             `sop status RUN` says which and why"
        );
    }
    Ok(Exit::Success)
}
