//! `sop check NAME --at TIME`: whether SOPs' conditions would hold at an instant, and the
//! checks of the calendar files built-in variables read.

use crate::commands::arg_input;
use crate::commands::eval::{parse_at, parse_vars};
use crate::config::Context;
use crate::exit::Exit;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sop_core::Diagnostic;
use sop_core::condition::{ItemVerdict, Verdict, evaluate};
use sop_core::definition::Sop;
use sop_engine::catalog::Entry;

use sop_engine::scope::{self, Subject};

/// The outcome for one SOP.
#[derive(Serialize)]
struct Report<'a> {
    sop: &'a str,
    at: String,
    met: bool,
    items: Vec<ItemVerdict>,
    /// Why the conditions could not be evaluated at all (an invalid definition, an unreadable
    /// store).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Evaluates each SOP's conditions at `at` (RFC 3339) with the given run variables (none by
/// default), printing the verdict and one line per item. Exits 0 when every SOP's conditions
/// hold, 3 otherwise, and 2 when an SOP is invalid (it has no conditions to evaluate; the
/// others are still shown).
pub fn run(
    ctx: &Context,
    entries: &[&Entry],
    at: &str,
    vars: Option<&str>,
    json: bool,
) -> anyhow::Result<Exit> {
    let at = parse_at(at)?;
    let vars = match vars {
        Some(text) => parse_vars(Some(&arg_input::resolve(text, "--vars", &mut false)?))?,
        None => serde_json::Value::Object(Default::default()),
    };
    let store = ctx.settings.open_store()?;
    let at_text = at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let reports: Vec<Report> = entries
        .iter()
        .map(|entry| match &entry.sop {
            Ok(sop) => report(ctx, &*store, sop, &vars, at),
            Err(_) => Report {
                sop: &entry.name,
                at: at_text.clone(),
                met: false,
                items: Vec::new(),
                error: Some(format!(
                    "the SOP is invalid; run `sop check {}` to see its problems",
                    entry.name
                )),
            },
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for r in &reports {
            print!("{}", render(r));
        }
    }
    Ok(if entries.iter().any(|e| e.sop.is_err()) {
        Exit::Invalid
    } else if reports.iter().all(|r| r.met) {
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
    match scope::build(
        &ctx.settings,
        Some(store),
        &subject,
        &scope::condition_names(sop),
    ) {
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
        (Some(_), _, _) => "conditions cannot be evaluated",
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
