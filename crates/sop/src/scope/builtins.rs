//! Computes the built-in variables an evaluation needs, at one instant, as a scope layer.

use super::{calendars, disk, settings};
use anyhow::Context as _;
use calendars::Loaded;
use chrono::{DateTime, Utc};
use sop_core::condition::{MapScope, Value};
use sop_core::definition::Sop;
use std::path::Path;

/// What built-ins are computed from, besides the environment.
pub struct Inputs<'a> {
    pub sop_dir: &'a Path,
    pub sop: Option<&'a Sop>,
    pub trigger_type: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// The built-ins for which `needed` holds: `business_hours`, `weekday`, `hour`, `day_of_week`,
/// `now`, `on_call_available`, `on_call`, `on_call_people`, `maintenance_window`,
/// `maintenance_window_name`, `disk_usage`, and the objects `sop` (`sop.name`, `sop.priority`,
/// `sop.execution_mode`) and `trigger` (`trigger.type`).
///
/// Only those needed are computed, so an evaluation that never
/// mentions on-call neither reads oncall.toml nor fails on a broken one; one that does fails
/// closed with the file's first problem.
pub fn compute(inputs: &Inputs<'_>, needed: &dyn Fn(&str) -> bool) -> anyhow::Result<MapScope> {
    let any = |names: &[&str]| names.iter().any(|n| needed(n));
    let mut scope = MapScope::new();

    if any(&["business_hours", "weekday", "hour", "day_of_week", "now"]) {
        let facts = settings::business_hours()?.at(inputs.now);
        let (clock, day) = (facts.clock_note(), facts.day_note());
        scope
            .with_value("business_hours", facts.business_hours, &clock)
            .with_value("hour", facts.hour, &clock)
            .with_value("now", facts.now_rfc3339(), &clock)
            .with_value("weekday", facts.weekday, &day)
            .with_value("day_of_week", facts.day_of_week, &day);
    }

    if any(&["on_call_available", "on_call", "on_call_people"]) {
        let (available, who, people, note) =
            match calendars::oncall(inputs.sop_dir, settings::zone()?) {
                Loaded::Missing => (
                    false,
                    Value::Null,
                    Value::list([]),
                    format!("no {} in SOP_DIR", calendars::ONCALL_FILE),
                ),
                Loaded::Valid(schedule) => {
                    let status = schedule.at(inputs.now);
                    let who = Value::from(status.primary().map(|o| o.person.clone()));
                    let people = Value::list(status.people().into_iter().map(Value::from));
                    (status.available(), who, people, status.note())
                }
                Loaded::Invalid(diags) => return Err(invalid("the on-call schedule", &diags)),
            };
        scope
            .with_value("on_call_available", available, &note)
            .with_value("on_call", who, &note)
            .with_value("on_call_people", people, &note);
    }

    if any(&["maintenance_window", "maintenance_window_name"]) {
        let (open, name, note) = match calendars::maintenance(inputs.sop_dir, settings::zone()?) {
            Loaded::Missing => (
                false,
                Value::Null,
                format!("no {} in SOP_DIR", calendars::MAINTENANCE_FILE),
            ),
            Loaded::Valid(calendar) => {
                let status = calendar.at(inputs.now);
                let name = Value::from(status.name().map(str::to_string));
                (status.active(), name, status.note())
            }
            Loaded::Invalid(diags) => return Err(invalid("the maintenance windows", &diags)),
        };
        scope
            .with_value("maintenance_window", open, &note)
            .with_value("maintenance_window_name", name, &note);
    }

    if needed("disk_usage") {
        let path = settings::disk_path();
        let percent = disk::usage_percent(&path).context("disk_usage")?;
        let note = format!("filesystem of {}", path.display());
        scope.with_value("disk_usage", percent, &note);
    }

    if needed("sop")
        && let Some(sop) = inputs.sop
    {
        scope.insert(
            "sop",
            Value::object([
                ("name".to_string(), Value::from(sop.meta.name.as_str())),
                (
                    "priority".to_string(),
                    Value::from(sop.meta.priority.as_str()),
                ),
                (
                    "execution_mode".to_string(),
                    Value::from(sop.meta.execution_mode.as_str()),
                ),
            ]),
        );
    }
    if needed("trigger")
        && let Some(kind) = inputs.trigger_type
    {
        scope.insert(
            "trigger",
            Value::object([("type".to_string(), Value::from(kind))]),
        );
    }
    Ok(scope)
}

/// A broken calendar file referenced by a condition: the condition cannot be decided.
fn invalid(what: &str, diags: &[sop_core::Diagnostic]) -> anyhow::Error {
    let first = diags.first().map(ToString::to_string).unwrap_or_default();
    let more = match diags.len() {
        0 | 1 => String::new(),
        2 => " (and 1 more problem)".to_string(),
        n => format!(" (and {} more problems)", n - 1),
    };
    anyhow::anyhow!("cannot read {what}: {first}{more}; run `sop check` to see every problem")
}

/// Sets a value together with its explanation note.
trait WithNote {
    fn with_value(&mut self, name: &str, value: impl Into<Value>, note: &str) -> &mut Self;
}

impl WithNote for MapScope {
    fn with_value(&mut self, name: &str, value: impl Into<Value>, note: &str) -> &mut Self {
        self.insert(name, value).set_note(name, note)
    }
}
