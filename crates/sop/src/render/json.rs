//! The `--json` documents of commands: built by the engine ([`sop_engine::documents`]), printed
//! here.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sop_engine::Service;
use sop_engine::documents::{PrunedRunDocument, RunSummaryDocument};
use sop_engine::engine::Tracked;
use sop_store::{Run, RunSummary, StepRun};

/// Prints the run object of `t` as it is now, with its gates' decisions and the explanation of
/// its conditions.
pub fn print_run(service: &Service, t: &Tracked) -> anyhow::Result<()> {
    print_doc(&service.run_document(t)?)
}

/// Prints a document with its keys in order, as every `--json` output is.
pub fn print_doc(doc: &impl Serialize) -> anyhow::Result<()> {
    print(&serde_json::to_value(doc)?)
}

/// Prints `value` as pretty JSON on stdout. A reader that went away is not an error: the
/// command's outcome (a run's exit code) stands.
pub fn print(value: &Value) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out));
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// The list of `sop status --json`.
pub fn summaries(runs: &[RunSummary], now: DateTime<Utc>) -> Value {
    let docs: Vec<RunSummaryDocument> = runs
        .iter()
        .map(|r| RunSummaryDocument::new(r, now))
        .collect();
    serde_json::to_value(docs).unwrap_or(Value::Null)
}

/// A pruned run: what is left of it (its definition, variables and outputs are gone).
pub fn pruned(run: &Run, steps: &[StepRun], now: DateTime<Utc>) -> Value {
    serde_json::to_value(PrunedRunDocument::new(run, steps, now)).unwrap_or(Value::Null)
}
