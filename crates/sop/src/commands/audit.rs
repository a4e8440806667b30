//! `sop audit [RUN]` lists the audit trail; `sop audit verify` checks its hash chain (with the
//! key and against checkpoints when given); `sop audit checkpoint` records its head elsewhere.

use crate::config::Context;
use crate::exit::{Exit, Fail};
use crate::render::{json, report};
use sop_engine::Service;
use sop_engine::engine::lookup;
use sop_store::{AuditCheckpoint, AuditEntry, VerifyReport};
use std::io::Write;
use std::path::{Path, PathBuf};

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
        /// Also check the trail against the checkpoints in FILE (written by `sop audit
        /// checkpoint --output FILE`): a checkpointed entry that differs or is gone is reported.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the newest entry's sequence number, hash and time as one JSON line, or append it
    /// to FILE; keep FILE away from the database so a rewritten trail can be detected.
    Checkpoint {
        /// Append the checkpoint to this file instead of printing it.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let service = ctx.service()?;
    match args.action {
        Some(Action::Verify { checkpoint, json }) => {
            return verify(&service, checkpoint.as_deref(), json || args.json);
        }
        Some(Action::Checkpoint { output }) => {
            return checkpoint(&service, output.as_deref());
        }
        None => {}
    }
    let run_id = match &args.run {
        Some(prefix) => Some(lookup::find_run(service.store(), prefix)?.id),
        None => None,
    };
    let entries = service.audit_entries(run_id.as_deref())?;
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
            who(e),
            e.kind,
            e.detail
        ));
    }
    print!("{out}");
    Ok(Exit::Success)
}

/// The actor, and the account that wrote the entry when it is not the actor itself: `--as` and
/// `SOP_USER` are claims, the operating-system account is not.
fn who(e: &AuditEntry) -> String {
    let actor = e.actor.escape_debug().to_string();
    match e.claimed_by() {
        Some(by) => format!("{actor} (as claimed by {})", by.escape_debug()),
        None => actor,
    }
}

fn checkpoint(service: &Service, output: Option<&Path>) -> anyhow::Result<Exit> {
    let Some(head) = service.audit_head()? else {
        return Err(Fail::with(
            Exit::Failure,
            "the audit trail is empty: there is nothing to checkpoint yet",
        ));
    };
    let line = serde_json::to_string(&head)?;
    match output {
        None => println!("{line}"),
        Some(path) => {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            writeln!(file, "{line}")
                .and_then(|()| file.sync_all())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            println!(
                "checkpoint of entry {} appended to {}",
                head.seq,
                path.display()
            );
        }
    }
    Ok(Exit::Success)
}

/// Every checkpoint in `path`, one JSON object a line; blank lines are skipped.
fn read_checkpoints(path: &Path) -> anyhow::Result<Vec<AuditCheckpoint>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Fail::invalid(format!("cannot read {}: {e}", path.display())))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line).map_err(|e| {
                Fail::invalid(format!(
                    "{}:{}: not a checkpoint ({e}); lines come from `sop audit checkpoint`",
                    path.display(),
                    n + 1
                ))
            })
        })
        .collect()
}

fn verify(service: &Service, checkpoints: Option<&Path>, as_json: bool) -> anyhow::Result<Exit> {
    let checkpoints = match checkpoints {
        Some(path) => read_checkpoints(path)?,
        None => Vec::new(),
    };
    let report = service.verify_audit_against(&checkpoints)?;
    if as_json {
        json::print(&serde_json::to_value(&report)?)?;
    } else {
        print!("{}", verify_text(&report));
    }
    Ok(if report.is_ok() {
        Exit::Success
    } else {
        Exit::Failure
    })
}

fn verify_text(report: &VerifyReport) -> String {
    let mut out = String::new();
    for problem in &report.storage {
        out.push_str(&format!("✗ the database file is damaged: {problem}\n"));
    }
    if let Some(p) = &report.problem {
        out.push_str(&format!(
            "✗ the audit trail is broken at entry {}: {}\n  entries before it are intact; {} checked\n",
            p.seq, p.message, report.entries
        ));
        return out;
    }
    let mut line = format!("the audit trail is intact: {} entries", report.entries);
    if report.checkpoints > 0 {
        line.push_str(&format!(", {} checkpoints matched", report.checkpoints));
    }
    if let Some(from) = report.keyed_from.filter(|_| report.unchecked == 0) {
        line.push_str(&format!(", keyed from entry {from}"));
    }
    let mark = if report.storage.is_empty() {
        "✓"
    } else {
        "✗"
    };
    out.push_str(&format!("{mark} {line}\n"));
    if let Some(from) = report.keyed_from.filter(|_| report.unchecked > 0) {
        out.push_str(&format!(
            "  entries from {from} on are keyed: without the key their order and links were \
             checked, not their content ({} entries); set SOP_AUDIT_KEY_FILE to check them\n",
            report.unchecked
        ));
    }
    out
}
