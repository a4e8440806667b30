//! `sop check`: validates SOP definitions and reports every problem in one pass.
//!
//! Each kind of check is one function that adds to a [`Report`]; a new kind of check is one
//! more function called from [`report`].

use crate::config::Context;
use crate::exit::Exit;
use chrono::{DateTime, Timelike as _};
use chrono_tz::Tz;
use sop_engine::approval::plan::Summary;
use sop_engine::catalog::Catalog;
use sop_engine::documents::SopCheckDocument;
use sop_engine::ops::Checked;
use sop_engine::ops::check::{check_sops, select};
use std::io::Write as _;

#[derive(clap::Args)]
pub struct Args {
    /// The SOPs to check (default: every SOP).
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,

    /// Instead of validating, show whether the SOPs' conditions would hold at this instant
    /// (RFC 3339), reading facts and built-ins as a run started then would.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// With --at: the run variables to assume, as a JSON object (`-` reads standard input,
    /// `@FILE` a file), e.g. '{"severity": "critical"}'.
    #[arg(long, value_name = "JSON", requires = "at")]
    pub vars: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    if let Some(at) = &args.at {
        let catalog = Catalog::open(&ctx.sop_dir())?;
        let entries = select(&catalog, &args.names)?;
        return super::check_at::run(ctx, &entries, at, args.vars.as_deref(), args.json);
    }
    let Checked {
        document,
        approvals,
    } = check_sops(&ctx.settings, &args.names)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::to_value(&document)?)?
        );
    } else {
        print_text(&document.sops, &approvals)?;
        super::check_at::print_calendar_problems(&document.calendars)?;
        print_settings_problems(&document.settings)?;
        print_warnings(&document.warnings)?;
        print_summary(
            &document.sops,
            document.calendars.len() + document.settings.len(),
        )?;
    }
    Ok(if document.valid {
        Exit::Success
    } else {
        Exit::Invalid
    })
}

fn print_text(reports: &[SopCheckDocument], approvals: &[Option<Summary>]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    for (r, approvals) in reports.iter().zip(approvals) {
        if !r.valid {
            let n = r.errors.len();
            writeln!(out, "FAIL {}: {n} problem{}", r.name, plural(n))?;
            out.flush()?;
            for d in &r.errors {
                writeln!(err, "{}", d.render())?;
            }
            continue;
        }
        match &r.steps {
            Some(s) => writeln!(
                out,
                "ok   {}: {} step{} ({} automated, {} manual)",
                r.name,
                s.total,
                plural(s.total),
                s.automated,
                s.manual
            )?,
            None => writeln!(out, "ok   {}", r.name)?,
        }
        if let Some(a) = approvals {
            writeln!(out, "     {}", a.check_lines().join("\n     "))?;
        }
        for s in &r.schedules {
            match s
                .next
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            {
                Some(next) => writeln!(
                    out,
                    "     cron `{}` next fires {}",
                    s.expression,
                    local_time(next, &s.timezone)
                )?,
                None => writeln!(out, "     cron `{}` does not fire again", s.expression)?,
            }
        }
    }
    Ok(())
}

/// The closing line: how many SOPs passed, and the problems outside them (calendar files,
/// settings) that also fail the check.
fn print_summary(reports: &[SopCheckDocument], elsewhere: usize) -> std::io::Result<()> {
    let invalid = reports.iter().filter(|r| !r.valid).count();
    let problems: usize = reports.iter().map(|r| r.errors.len()).sum();
    let n = reports.len();
    let mut line = if invalid == 0 {
        format!("\n{n} SOP{} checked: all valid", plural(n))
    } else {
        format!(
            "\n{n} SOP{} checked: {} valid, {invalid} invalid ({problems} problem{})",
            plural(n),
            n - invalid,
            plural(problems)
        )
    };
    if elsewhere > 0 {
        line.push_str(&format!(
            "; {elsewhere} problem{} in calendar files or settings",
            plural(elsewhere)
        ));
    }
    writeln!(std::io::stdout().lock(), "{line}")
}

/// `2026-02-01 02:00 CET (Europe/Paris)`, or `2026-02-01 02:00 UTC`.
/// `at` in `zone`, to the minute, or to the second when a six-field expression fires within one.
fn local_time(at: DateTime<chrono::FixedOffset>, zone: &str) -> String {
    let minute = if at.second() == 0 {
        "%H:%M"
    } else {
        "%H:%M:%S"
    };
    match zone.parse::<Tz>() {
        Ok(tz) => {
            let local = at.with_timezone(&tz);
            let abbrev = local.format("%Z").to_string();
            let shown = local.format(&format!("%Y-%m-%d {minute} %Z")).to_string();
            if abbrev == zone {
                shown
            } else {
                format!("{shown} ({zone})")
            }
        }
        Err(_) => at.format(&format!("%Y-%m-%d {minute} %:z")).to_string(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Each warning on stderr; they do not fail the check.
fn print_warnings(warnings: &[String]) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    for w in warnings {
        writeln!(err, "warning: {w}\n")?;
    }
    Ok(())
}

/// A `FAIL settings` line on stdout and every problem on stderr, like an invalid SOP.
fn print_settings_problems(problems: &[String]) -> std::io::Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let n = problems.len();
    let mut out = std::io::stdout().lock();
    writeln!(out, "FAIL settings: {n} problem{}", plural(n))?;
    out.flush()?;
    let mut err = std::io::stderr().lock();
    for p in problems {
        writeln!(err, "error: {}\n", p.trim_end())?;
    }
    Ok(())
}
