//! `sop check NAME --at TIME`: whether SOPs' conditions would hold at an instant, and the
//! checks of the calendar files built-in variables read.

use crate::catalog::Entry;
use crate::commands::eval::parse_at;
use crate::config::Context;
use crate::exit::{Exit, Fail};
use crate::scope::calendars::{self, Loaded};
use crate::scope::{self, Subject, settings};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sop_core::Diagnostic;
use sop_core::condition::{ItemVerdict, Verdict, evaluate};
use sop_core::definition::Sop;
use std::path::Path;

/// The outcome for one SOP.
#[derive(Serialize)]
struct Report<'a> {
    sop: &'a str,
    at: String,
    met: bool,
    items: Vec<ItemVerdict>,
    /// Why the conditions could not be evaluated at all (e.g. a broken oncall.toml).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Evaluates each SOP's conditions at `at` (RFC 3339) with no run variables, printing the
/// verdict and one line per item. Exits 0 when every SOP's conditions hold, 3 otherwise; an
/// invalid definition is a usage error (exit 2), as there are no conditions to evaluate.
pub fn run(ctx: &Context, entries: &[&Entry], at: &str, json: bool) -> anyhow::Result<Exit> {
    let at = parse_at(at)?;
    let mut sops: Vec<&Sop> = Vec::new();
    for entry in entries {
        match &entry.sop {
            Ok(sop) => sops.push(sop),
            Err(_) => {
                return Err(Fail::invalid(format!(
                    "SOP `{0}` is invalid, so its conditions cannot be evaluated\n  = help: run \
                     `sop check {0}` to see its problems",
                    entry.name
                )));
            }
        }
    }
    let store = sop_store::open_from_env()?;
    let vars = serde_json::Value::Object(Default::default());
    let reports: Vec<Report> = sops
        .iter()
        .map(|sop| report(ctx, &*store, sop, &vars, at))
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for r in &reports {
            print!("{}", render(r));
        }
    }
    Ok(if reports.iter().all(|r| r.met) {
        Exit::Success
    } else {
        Exit::ConditionsUnmet
    })
}

fn report<'a>(
    ctx: &Context,
    store: &dyn sop_store::Queries,
    sop: &'a Sop,
    vars: &serde_json::Value,
    at: DateTime<Utc>,
) -> Report<'a> {
    let subject = Subject {
        sop: Some(sop),
        trigger_type: None,
        vars,
        now: at,
    };
    let at_text = at.to_rfc3339_opts(SecondsFormat::Secs, true);
    match scope::build(ctx, Some(store), &subject, &scope::condition_names(sop)) {
        Ok(scope) => {
            let Verdict { met, items } = evaluate(&sop.conditions, &scope);
            Report {
                sop: sop.name(),
                at: at_text,
                met,
                items,
                error: None,
            }
        }
        // Conditions that cannot be evaluated are not met.
        Err(e) => Report {
            sop: sop.name(),
            at: at_text,
            met: false,
            items: Vec::new(),
            error: Some(format!("{e:#}")),
        },
    }
}

fn render(r: &Report<'_>) -> String {
    let mut out = String::new();
    let verdict = match (&r.error, r.met, r.items.is_empty()) {
        (Some(_), _, _) => "conditions cannot be evaluated, so they are not met",
        (None, true, true) => "no conditions, would run",
        (None, true, false) => "conditions met",
        (None, false, _) => "conditions not met",
    };
    out.push_str(&format!("{} at {}: {verdict}\n", r.sop, r.at));
    for item in &r.items {
        let mark = if item.holds { '✓' } else { '✗' };
        out.push_str(&format!("  {mark} {}\n", item.detail));
    }
    if let Some(e) = &r.error {
        out.push_str(&format!("  ✗ {e}\n"));
    }
    out
}

/// Every problem in `<sop_dir>/oncall.toml` and `<sop_dir>/maintenance.toml`, located; none
/// when they are absent or valid.
pub fn validate_calendars(sop_dir: &Path) -> Vec<Diagnostic> {
    // A bad SOP_TIMEZONE is reported where it is used; the files are still checked.
    let zone = settings::zone().unwrap_or(chrono_tz::Tz::UTC);
    let mut out = Vec::new();
    if let Loaded::Invalid(d) = calendars::oncall(sop_dir, zone) {
        out.extend(d);
    }
    if let Loaded::Invalid(d) = calendars::maintenance(sop_dir, zone) {
        out.extend(d);
    }
    out
}

/// Prints calendar problems the way `sop check` prints an invalid SOP: a `FAIL` line per file
/// on stdout, every problem rendered on stderr.
pub fn print_calendar_problems(diags: &[Diagnostic]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let mut files: Vec<&str> = diags.iter().map(|d| d.file.as_str()).collect();
    files.dedup();
    for file in files {
        let problems: Vec<&Diagnostic> = diags.iter().filter(|d| d.file == file).collect();
        let n = problems.len();
        writeln!(
            out,
            "FAIL {file}: {n} problem{}",
            if n == 1 { "" } else { "s" }
        )?;
        out.flush()?;
        for d in problems {
            writeln!(err, "{}", d.render())?;
        }
    }
    Ok(())
}
