//! `sop check`: validates SOP definitions and reports every problem in one pass.
//!
//! Each kind of check is one function that adds to a [`Report`]; a new kind of check is one
//! more function called from [`report`].

use super::check_settings;
use crate::config::Context;
use crate::exit::{Exit, Fail};
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use sop_core::Diagnostic;
use sop_core::definition::{CronSchedule, Sop, StepKind, Trigger, parse_timezone};
use sop_core::suggest;
use sop_engine::catalog::{Catalog, Entry};
use sop_engine::clock::Clock;
use std::fmt::Write as _;
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

/// What `sop check` found for one SOP.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub name: &'a str,
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<StepCounts>,
    /// The next fire time of each cron trigger.
    pub schedules: Vec<Schedule>,
    pub errors: Vec<Diagnostic>,
    /// The resolved mode and the gates a run opens (valid SOPs only); `sop show --json` has
    /// them in full.
    #[serde(skip)]
    pub approvals: Option<sop_engine::approval::plan::Summary>,
}

#[derive(Debug, Serialize)]
pub struct StepCounts {
    pub total: usize,
    pub automated: usize,
    pub manual: usize,
}

#[derive(Debug, Serialize)]
pub struct Schedule {
    pub expression: String,
    /// The zone the expression is read in: the trigger's own, else the engine's.
    pub timezone: String,
    /// RFC 3339 in `timezone`; `None` if the schedule never fires again.
    pub next: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let catalog = Catalog::open(&ctx.sop_dir())?;
    let entries = select(&catalog, &args.names)?;
    if let Some(at) = &args.at {
        return super::check_at::run(ctx, &entries, at, args.vars.as_deref(), args.json);
    }
    let calendars = super::check_at::validate_calendars(&ctx.settings);
    let now = Clock::from_settings(&ctx.settings)?.now();
    let settings = check_settings::load(&ctx.settings);
    let mut reports: Vec<Report> = entries
        .iter()
        .map(|e| report(e, now, settings.zone))
        .collect();
    for (r, e) in reports.iter_mut().zip(&entries) {
        r.approvals = e
            .sop
            .as_ref()
            .ok()
            .map(|sop| sop_engine::approval::plan::Summary::new(sop, &settings.approvals));
    }
    let valid =
        reports.iter().all(|r| r.valid) && calendars.is_empty() && settings.problems.is_empty();
    if args.json {
        let invalid = reports.iter().filter(|r| !r.valid).count();
        let problems: usize = reports.iter().map(|r| r.errors.len()).sum();
        let out = serde_json::json!({
            "dir": catalog.dir().display().to_string(),
            "valid": valid,
            "checked": reports.len(),
            "invalid": invalid,
            "problems": problems,
            "sops": reports,
            "calendars": calendars,
            "settings": settings.problems,
            "warnings": settings.warnings,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_text(&reports)?;
        super::check_at::print_calendar_problems(&calendars)?;
        check_settings::print_problems(&settings.problems)?;
        check_settings::print_warnings(&settings.warnings)?;
        print_summary(&reports, calendars.len() + settings.problems.len())?;
    }
    Ok(if valid { Exit::Success } else { Exit::Invalid })
}

/// The entries named on the command line (every entry when none is), failing on unknown
/// names with a suggestion for each.
fn select<'c>(catalog: &'c Catalog, names: &[String]) -> anyhow::Result<Vec<&'c Entry>> {
    if names.is_empty() {
        return Ok(catalog.entries().iter().collect());
    }
    let mut selected: Vec<&Entry> = Vec::new();
    let mut unknown = Vec::new();
    for name in names {
        match catalog.get(name) {
            Some(e) if !selected.iter().any(|s| s.name == e.name) => selected.push(e),
            Some(_) => {}
            None => unknown.push(name.as_str()),
        }
    }
    if unknown.is_empty() {
        selected.sort_by(|a, b| a.name.cmp(&b.name));
        return Ok(selected);
    }
    let known: Vec<&str> = catalog.entries().iter().map(|e| e.name.as_str()).collect();
    let mut message = String::new();
    for name in unknown {
        let _ = write!(
            message,
            "{}no SOP named `{name}` in {}",
            if message.is_empty() { "" } else { "\nerror: " },
            catalog.dir().display()
        );
        if let Some(close) = suggest::closest(name, known.iter().copied()) {
            let _ = write!(message, "\n  = help: did you mean `{close}`?");
        }
    }
    message.push_str("\n  = help: run `sop list` to see the available SOPs");
    Err(Fail::invalid(message))
}

/// Runs every kind of check on one SOP.
pub fn report<'e>(entry: &'e Entry, now: DateTime<Utc>, zone: Tz) -> Report<'e> {
    let mut r = Report {
        name: &entry.name,
        valid: true,
        steps: None,
        schedules: Vec::new(),
        errors: Vec::new(),
        approvals: None,
    };
    definition(entry, &mut r);
    if let Ok(sop) = &entry.sop {
        steps(sop, &mut r);
        schedules(sop, now, zone, &mut r);
    }
    r.valid = r.errors.is_empty();
    r
}

/// Schema, steps, step options, cron syntax, webhook paths, event names, condition syntax and
/// names: everything the loader found.
fn definition(entry: &Entry, r: &mut Report) {
    if let Err(diags) = &entry.sop {
        r.errors.extend(diags.iter().cloned());
    }
}

fn steps(sop: &Sop, r: &mut Report) {
    let automated = sop
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Automated)
        .count();
    r.steps = Some(StepCounts {
        total: sop.steps.len(),
        automated,
        manual: sop.steps.len() - automated,
    });
}

/// The next fire time of each cron trigger, read in its zone.
fn schedules(sop: &Sop, now: DateTime<Utc>, zone: Tz, r: &mut Report) {
    for trigger in &sop.triggers {
        let Trigger::Cron {
            expression,
            timezone,
        } = trigger
        else {
            continue;
        };
        // The loader already validated both; a failure here would be a bug, so fail closed
        // by reporting no next time rather than a wrong one.
        let tz = timezone
            .as_deref()
            .map_or(Ok(zone), parse_timezone)
            .unwrap_or(zone);
        let next = CronSchedule::parse(expression)
            .ok()
            .and_then(|s| s.next_after(now, tz))
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
        r.schedules.push(Schedule {
            expression: expression.clone(),
            timezone: tz.name().to_string(),
            next,
        });
    }
}

fn print_text(reports: &[Report]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    for r in reports {
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
        if let Some(a) = &r.approvals {
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
fn print_summary(reports: &[Report], elsewhere: usize) -> std::io::Result<()> {
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
fn local_time(at: DateTime<chrono::FixedOffset>, zone: &str) -> String {
    match zone.parse::<Tz>() {
        Ok(tz) => {
            let local = at.with_timezone(&tz);
            let abbrev = local.format("%Z").to_string();
            let shown = local.format("%Y-%m-%d %H:%M %Z").to_string();
            if abbrev == zone {
                shown
            } else {
                format!("{shown} ({zone})")
            }
        }
        Err(_) => at.format("%Y-%m-%d %H:%M %:z").to_string(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
