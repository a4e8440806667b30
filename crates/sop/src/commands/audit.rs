//! `sop audit [RUN]` lists the audit trail; `sop audit verify` checks its hash chain.

use crate::config::Context;
use crate::exit::Exit;
use crate::render::{json, report};
use sop_engine::engine::lookup;
use sop_store::Store;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,

    /// Only the entries of this run (an id, or a prefix of one that matches a single run).
    #[arg(value_name = "RUN")]
    pub run: Option<String>,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Subcommand)]
pub enum Action {
    /// Check that no entry was edited, deleted or reordered; names the first bad one.
    Verify {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(_ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let store = sop_store::open_from_env()?;
    if let Some(Action::Verify { json }) = args.action {
        return verify(store.as_ref(), json || args.json);
    }
    let run_id = match &args.run {
        Some(prefix) => Some(lookup::find_run(store.as_ref(), prefix)?.id),
        None => None,
    };
    let entries = store.audit_entries(run_id.as_deref())?;
    if args.json {
        json::print(&serde_json::to_value(&entries)?)?;
        return Ok(Exit::Success);
    }
    if entries.is_empty() {
        println!("the audit trail is empty");
        return Ok(Exit::Success);
    }
    let mut out = String::new();
    for e in &entries {
        let run = e.run_id.as_deref().unwrap_or("-");
        out.push_str(&format!(
            "{:>6}  {}  {}  {:<8}  {}  {}\n",
            e.seq,
            report::time(e.at),
            run,
            e.actor,
            e.kind,
            e.detail
        ));
    }
    print!("{out}");
    Ok(Exit::Success)
}

fn verify(store: &dyn Store, as_json: bool) -> anyhow::Result<Exit> {
    let report = store.verify_audit()?;
    if as_json {
        json::print(&serde_json::to_value(&report)?)?;
    } else if let Some(p) = &report.problem {
        println!(
            "✗ the audit trail is broken at entry {}: {}\n  entries before it are intact; {} checked",
            p.seq, p.message, report.entries
        );
    } else {
        println!("✓ the audit trail is intact: {} entries", report.entries);
    }
    Ok(if report.is_ok() {
        Exit::Success
    } else {
        Exit::Failure
    })
}
