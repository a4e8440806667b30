//! Computes the built-in variables an evaluation needs, at one instant, as a scope layer.

use super::{calendars, disk, settings};
use crate::error::Context as _;
use calendars::Loaded;
use chrono::{DateTime, Utc};
use sop_core::condition::{MapScope, Value};
use sop_core::definition::Sop;

/// Every built-in name a condition can read.
pub const NAMES: &[&str] = &[
    "business_hours",
    "weekday",
    "hour",
    "day_of_week",
    "now",
    "on_call_available",
    "on_call",
    "on_call_people",
    "maintenance_window",
    "maintenance_window_name",
    "disk_usage",
    "sop",
    "trigger",
];

/// What built-ins are computed from, besides the environment.
pub struct Inputs<'a> {
    pub settings: &'a crate::Settings,
    pub sop: Option<&'a Sop>,
    pub trigger_type: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// The built-ins for which `needed` holds: `business_hours`, `weekday`, `hour`, `day_of_week`,
/// `now`, `on_call_available`, `on_call`, `on_call_people`, `maintenance_window`,
/// `maintenance_window_name`, `disk_usage`, and the objects `sop` (`sop.name`, `sop.priority`,
/// `sop.execution_mode`) and `trigger` (`trigger.type`).
///
/// Only those needed are computed, so an evaluation that never mentions on-call neither reads
/// oncall.toml nor fails on a broken one. A built-in whose source fails (a broken calendar
/// file, an unknown `SOP_TIMEZONE`, an unmeasurable `SOP_DISK_PATH`) is marked unavailable with
/// the reason: the conditions that read it are not met, and the others are decided as usual.
pub fn compute(inputs: &Inputs<'_>, needed: &dyn Fn(&str) -> bool) -> MapScope {
    let any = |names: &[&str]| names.iter().any(|n| needed(n));
    let mut scope = MapScope::new();

    const CLOCK: &[&str] = &["business_hours", "weekday", "hour", "day_of_week", "now"];
    if any(CLOCK) {
        match settings::business_hours(inputs.settings) {
            Ok(hours) => {
                let facts = hours.at(inputs.now);
                let (clock, day) = (facts.clock_note(), facts.day_note());
                scope
                    .with_value("business_hours", facts.business_hours, &clock)
                    .with_value("hour", facts.hour, &clock)
                    .with_value("now", facts.now_rfc3339(), &clock)
                    .with_value("weekday", facts.weekday, &day)
                    .with_value("day_of_week", facts.day_of_week, &day);
            }
            Err(e) => scope.unavailable_all(CLOCK, &e),
        }
    }

    const ONCALL: &[&str] = &["on_call_available", "on_call", "on_call_people"];
    if any(ONCALL) {
        match oncall(inputs) {
            Ok((available, who, people, note)) => {
                scope
                    .with_value("on_call_available", available, &note)
                    .with_value("on_call", who, &note)
                    .with_value("on_call_people", people, &note);
            }
            Err(e) => scope.unavailable_all(ONCALL, &e),
        }
    }

    const MAINTENANCE: &[&str] = &["maintenance_window", "maintenance_window_name"];
    if any(MAINTENANCE) {
        match maintenance(inputs) {
            Ok((open, name, note)) => {
                scope
                    .with_value("maintenance_window", open, &note)
                    .with_value("maintenance_window_name", name, &note);
            }
            Err(e) => scope.unavailable_all(MAINTENANCE, &e),
        }
    }

    if needed("disk_usage") {
        let path = settings::disk_path(inputs.settings);
        match disk::usage_percent(&path).context("disk_usage") {
            Ok(percent) => {
                let note = format!("filesystem of {}", path.display());
                scope.with_value("disk_usage", percent, &note);
            }
            Err(e) => scope.unavailable_all(&["disk_usage"], &e),
        }
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
    scope
}

/// `on_call_available`, `on_call`, `on_call_people` and their note.
fn oncall(inputs: &Inputs<'_>) -> crate::Result<(bool, Value, Value, String)> {
    Ok(
        match calendars::oncall(inputs.settings.sop_dir(), settings::zone(inputs.settings)?) {
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
        },
    )
}

/// `maintenance_window`, `maintenance_window_name` and their note.
fn maintenance(inputs: &Inputs<'_>) -> crate::Result<(bool, Value, String)> {
    Ok(
        match calendars::maintenance(inputs.settings.sop_dir(), settings::zone(inputs.settings)?) {
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
        },
    )
}

/// A broken calendar file referenced by a condition: the condition cannot be decided.
fn invalid(what: &str, diags: &[sop_core::Diagnostic]) -> crate::Error {
    let first = diags.first().map(ToString::to_string).unwrap_or_default();
    let more = match diags.len() {
        0 | 1 => String::new(),
        2 => " (and 1 more problem)".to_string(),
        n => format!(" (and {} more problems)", n - 1),
    };
    crate::Error::internal(format!(
        "cannot read {what}: {first}{more}; run `sop check` to see every problem"
    ))
}

/// Sets a value together with its explanation note, or marks names unavailable.
trait WithNote {
    fn with_value(&mut self, name: &str, value: impl Into<Value>, note: &str) -> &mut Self;
    fn unavailable_all(&mut self, names: &[&str], error: &crate::Error);
}

impl WithNote for MapScope {
    fn with_value(&mut self, name: &str, value: impl Into<Value>, note: &str) -> &mut Self {
        self.insert(name, value).set_note(name, note)
    }

    fn unavailable_all(&mut self, names: &[&str], error: &crate::Error) {
        let reason = format!("{error:#}");
        for name in names {
            self.set_unavailable(name, reason.clone());
        }
    }
}
