//! How a command's error reaches its reader: `error: …` on stderr always, and with `--json` also
//! one error document on stdout, so a program reading stdout gets JSON on every path.
//!
//! The document is `{"error": {"exit_code": N, "message": "…"}}` (plus `diagnostics` where the
//! error has source locations); `message` is the text stderr shows after `error: `.

use crate::exit::{Exit, Fail};
use serde_json::{Value, json};
use std::ffi::OsString;

/// The error document of `--json` outputs.
pub fn document(exit: Exit, message: &str, diagnostics: Option<Value>) -> Value {
    let mut error = json!({ "exit_code": exit.code(), "message": message });
    if let Some(diagnostics) = diagnostics {
        error["diagnostics"] = diagnostics;
    }
    json!({ "error": error })
}

/// Reports a command's error and returns the exit code it asks for: a `Fail` carries its own,
/// a wrong `SOP_DATABASE_URL` is bad input (2), anything else is 1.
pub fn report(err: &anyhow::Error, json: bool) -> Exit {
    let (exit, message) = if let Some(fail) = err.downcast_ref::<Fail>() {
        (fail.exit, fail.message.clone())
    } else if let Some(e) = err.downcast_ref::<sop_engine::Error>() {
        (exit_for(e.kind), describe(e))
    } else if let Some(sop_store::StoreError::InvalidLocation { .. }) = err.downcast_ref() {
        (Exit::Invalid, format!("{err:#}"))
    } else {
        (Exit::Failure, format!("{err:#}"))
    };
    eprintln!("error: {message}");
    if json {
        print(&document(exit, &message, None));
    }
    exit
}

/// An operation's error as the CLI says it: the message, its hint, and what to do in terms of
/// `sop` commands.
pub fn describe(e: &sop_engine::Error) -> String {
    use sop_engine::Remedy;
    let mut text = e.to_string();
    match &e.remedy {
        None => {}
        Some(Remedy::ListSops) => {
            text.push_str("\n  = help: run `sop list` to see the available SOPs")
        }
        Some(Remedy::ListRuns) => text.push_str("; `sop status` lists recent runs"),
        Some(Remedy::CheckSop { name }) => {
            text.push_str(&format!("\nrun `sop check {name}` after fixing it"))
        }
        Some(Remedy::WaitOrCancel) => {
            text.push_str("\n  = help: wait for it to finish, or stop it with `sop cancel RUN`")
        }
    }
    text
}

/// The exit code of an operation's error: bad input (including a run or SOP that does not
/// exist) is 2, conditions not met 3, anything else 1.
fn exit_for(kind: sop_engine::ErrorKind) -> Exit {
    use sop_engine::ErrorKind;
    match kind {
        ErrorKind::Invalid | ErrorKind::NotFound => Exit::Invalid,
        ErrorKind::ConditionsNotMet => Exit::ConditionsUnmet,
        ErrorKind::Conflict | ErrorKind::Refused | ErrorKind::Busy | ErrorKind::Internal => {
            Exit::Failure
        }
    }
}

/// Reports a command line clap could not parse (exit 2), or prints the help or version it asked
/// for (exit 0).
pub fn report_usage(err: &clap::Error, args: &[OsString]) -> Exit {
    let _ = err.print();
    if !err.use_stderr() {
        return Exit::Success;
    }
    if asks_for_json(args) {
        let text = err.render().to_string();
        let message = text.trim_start_matches("error: ").trim_end();
        print(&document(Exit::Invalid, message, None));
    }
    Exit::Invalid
}

/// Whether a command line clap refused asked for JSON: a `--json` before any `--`.
fn asks_for_json(args: &[OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json")
}

/// Whether the parsed command line set a `--json` flag, on the command or a subcommand of it
/// (`sop fact list --json`, `sop audit verify --json`).
pub fn wants_json(matches: &clap::ArgMatches) -> bool {
    let here = matches
        .try_get_one::<bool>("json")
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false);
    here || matches.subcommand().is_some_and(|(_, sub)| wants_json(sub))
}

fn print(value: &Value) {
    // Stdout may be gone already; the exit code still tells what happened.
    let _ = crate::render::json::print(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_carries_exit_code_message_and_diagnostics() {
        let doc = document(Exit::Invalid, "no run `x`", Some(json!([{"line": 1}])));
        assert_eq!(
            doc,
            json!({"error": {"exit_code": 2, "message": "no run `x`", "diagnostics": [{"line": 1}]}})
        );
    }

    #[test]
    fn json_is_asked_for_only_before_a_double_dash() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(asks_for_json(&args(&["sop", "done", "--json"])));
        assert!(!asks_for_json(&args(&["sop", "eval", "--", "--json"])));
        assert!(!asks_for_json(&args(&["sop", "done", "--jsonx"])));
    }
}
