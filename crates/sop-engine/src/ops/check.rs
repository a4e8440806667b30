//! Checking SOPs as data: every problem of each definition, its steps and next schedules, and
//! the calendar files and settings a run would read — what `sop check --json` prints.

use super::check_settings::CheckSettings;
use crate::approval::plan::Summary;
use crate::catalog::{Catalog, Entry};
use crate::clock::Clock;
use crate::documents::{CheckDocument, ScheduleDocument, SopCheckDocument, StepCounts};
use crate::scope::calendars::{self, Loaded};
use crate::scope::settings;
use crate::{Error, Settings};
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use sop_core::Diagnostic;
use sop_core::definition::{CronSchedule, Sop, StepKind, Trigger, parse_timezone};
use sop_core::suggest;
use std::fmt::Write as _;

/// A check's document, and for each SOP checked (in the same order) the approvals a run of it
/// meets, for front ends that show them.
pub struct Checked {
    pub document: CheckDocument,
    pub approvals: Vec<Option<Summary>>,
}

/// Checks the SOPs `names` (every SOP when empty) of the directory `settings` name.
pub fn check_sops(settings: &Settings, names: &[String]) -> crate::Result<Checked> {
    let catalog = Catalog::open(settings.sop_dir())?;
    let entries = select(&catalog, names)?;
    let calendars = validate_calendars(settings);
    let now = Clock::from_settings(settings)?.now();
    let mut loaded = CheckSettings::load(settings);
    loaded.warnings.extend(
        entries
            .iter()
            .filter_map(|e| e.sop.as_ref().ok())
            .flat_map(sop_core::definition::timeout_warnings),
    );
    loaded.warnings.extend(
        entries
            .iter()
            .filter_map(|e| e.sop.as_ref().ok())
            .flat_map(sop_core::definition::optional_gap_warnings),
    );
    loaded.warnings.extend(
        entries
            .iter()
            .filter_map(|e| e.sop.as_ref().ok())
            .flat_map(|sop| super::webhook_secrets::unset_secrets(settings, sop)),
    );
    loaded.warnings.extend(
        entries
            .iter()
            .filter_map(|e| e.sop.as_ref().ok())
            .flat_map(super::condition_names::misspelt_names),
    );
    // A setting two readers share (`SOP_APPROVAL_REMINDER`) is one problem, named once.
    for problem in
        notification_problems(settings, entries.iter().filter_map(|e| e.sop.as_ref().ok()))
    {
        if !loaded.problems.contains(&problem) {
            loaded.problems.push(problem);
        }
    }
    let sops: Vec<SopCheckDocument> = entries
        .iter()
        .map(|e| report(e, now, loaded.zone))
        .collect();
    let approvals = entries
        .iter()
        .map(|e| {
            e.sop
                .as_ref()
                .ok()
                .map(|s| Summary::new(s, &loaded.approvals))
        })
        .collect();
    let valid = sops.iter().all(|r| r.valid) && calendars.is_empty() && loaded.problems.is_empty();
    let document = CheckDocument {
        dir: catalog.dir().display().to_string(),
        valid,
        checked: sops.len(),
        invalid: sops.iter().filter(|r| !r.valid).count(),
        problems: sops.iter().map(|r| r.errors.len()).sum(),
        sops,
        calendars,
        settings: loaded.problems,
        warnings: loaded.warnings,
    };
    Ok(Checked {
        document,
        approvals,
    })
}

/// The notification settings, and the credentials the channels in use need but lack (the
/// default channels and every checked SOP's own `approval_channel`), when notifications are on.
fn notification_problems<'a>(
    settings: &Settings,
    sops: impl Iterator<Item = &'a sop_core::definition::Sop>,
) -> Vec<String> {
    if crate::notify::NotifySettings::turned_off(settings) {
        return Vec::new();
    }
    let notify = match crate::notify::NotifySettings::load_all(settings) {
        Ok(n) => n,
        Err(problems) => return problems.iter().map(|e| format!("{e:#}")).collect(),
    };
    if !notify.enabled {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut report =
        |whose: String, channels: &[sop_core::notify::Channel]| {
            let missing = notify.missing_credentials(channels);
            if !missing.is_empty() {
                let kinds: Vec<String> = channels.iter().map(|c| c.label()).collect();
                out.push(format!(
                "{whose} sends notifications to {} but {} not set: set {} (or the *_FILE variant)",
                kinds.join(", "),
                if missing.len() == 1 { "this credential is" } else { "these credentials are" },
                missing.join(", ")
            ));
            }
        };
    report("SOP_APPROVAL_CHANNEL".into(), &notify.channels);
    for sop in sops {
        if let Some(own) = sop.meta.approval_channel.as_deref() {
            report(
                format!("SOP `{}` (approval_channel)", sop.meta.name),
                &notify.channels_for(Some(own)),
            );
        }
    }
    out
}

/// The entries named (every entry when none is), failing on unknown names with a suggestion
/// for each.
pub fn select<'c>(catalog: &'c Catalog, names: &[String]) -> crate::Result<Vec<&'c Entry>> {
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
    Err(Error::invalid(message).with_remedy(crate::Remedy::ListSops))
}

/// The problems of the calendar files built-in variables read.
pub fn validate_calendars(s: &Settings) -> Vec<Diagnostic> {
    let sop_dir = s.sop_dir();
    // A bad SOP_TIMEZONE is reported where it is used; the files are still checked.
    let zone = settings::zone(s).unwrap_or(Tz::UTC);
    let mut out = Vec::new();
    if let Loaded::Invalid(d) = calendars::oncall(sop_dir, zone) {
        out.extend(d);
    }
    if let Loaded::Invalid(d) = calendars::maintenance(sop_dir, zone) {
        out.extend(d);
    }
    out
}

/// Runs every kind of check on one SOP.
pub fn report(entry: &Entry, now: DateTime<Utc>, zone: Tz) -> SopCheckDocument {
    let mut r = SopCheckDocument {
        name: entry.name.clone(),
        valid: true,
        steps: None,
        schedules: Vec::new(),
        errors: Vec::new(),
    };
    // Schema, steps, step options, cron syntax, webhook paths, event names, condition syntax
    // and names: everything the loader found.
    if let Err(diags) = &entry.sop {
        r.errors.extend(diags.iter().cloned());
    }
    if let Ok(sop) = &entry.sop {
        r.steps = Some(step_counts(sop));
        r.schedules = schedules(sop, now, zone);
    }
    r.valid = r.errors.is_empty();
    r
}

fn step_counts(sop: &Sop) -> StepCounts {
    let automated = sop
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Automated)
        .count();
    StepCounts {
        total: sop.steps.len(),
        automated,
        manual: sop.steps.len() - automated,
    }
}

/// The next fire time of each cron trigger, read in its zone.
fn schedules(sop: &Sop, now: DateTime<Utc>, zone: Tz) -> Vec<ScheduleDocument> {
    let mut out = Vec::new();
    for trigger in &sop.triggers {
        let Trigger::Cron {
            expression,
            timezone,
            ..
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
        out.push(ScheduleDocument {
            expression: expression.clone(),
            timezone: tz.name().to_string(),
            next,
        });
    }
    out
}
