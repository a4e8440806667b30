//! Reading `oncall.toml` into an [`OnCallSchedule`], reporting every problem with its location.

use super::{OnCallSchedule, Override, Rotation};
use crate::builtins::hours_range::HoursRange;
use crate::builtins::local_time::{parse_instant, parse_zone};
use crate::builtins::toml_reader::{Located, Table, TomlReader};
use crate::builtins::weekdays::parse_day;
use crate::{Diagnostic, Duration};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

const ROTATION_KEYS: &[&str] = &[
    "name", "people", "start", "shift", "days", "hours", "timezone",
];
const OVERRIDE_KEYS: &[&str] = &["person", "from", "to", "rotation", "timezone"];

/// Parses `oncall.toml`. Zones default to `default_zone` (the engine's `SOP_TIMEZONE`). Entries
/// with problems are left out of the schedule; every problem is returned, in file order.
pub(super) fn parse(file: &str, text: &str, default_zone: Tz) -> (OnCallSchedule, Vec<Diagnostic>) {
    let mut r = TomlReader::new(file, text);
    let doc = r.parse();
    let root = Table {
        table: doc.get_ref(),
        span: doc.span(),
    };
    r.check_keys(&root, &["rotation", "override"], "oncall.toml");

    let mut schedule = OnCallSchedule::default();
    let rotation_tables = r.tables(root.table, "rotation");
    let mut names: Vec<String> = Vec::new();
    for (i, t) in rotation_tables.iter().enumerate() {
        let what = format!("[[rotation]] #{}", i + 1);
        let duplicate = r.duplicate_name(t, &mut names, "rotation");
        if let Some(rotation) = rotation(&mut r, t, &what, default_zone)
            && !duplicate
        {
            schedule.rotations.push(rotation);
        }
    }
    // Overrides are checked against every rotation named in the file, valid or not, so one
    // problem is not reported twice.
    let all_rotation_names: Vec<String> = rotation_tables
        .iter()
        .filter_map(|t| t.table.get("name")?.get_ref().as_str().map(str::to_string))
        .collect();

    for (i, t) in r.tables(root.table, "override").iter().enumerate() {
        let what = format!("[[override]] #{}", i + 1);
        if let Some(o) = override_entry(
            &mut r,
            t,
            &what,
            &schedule,
            &all_rotation_names,
            default_zone,
        ) {
            schedule.overrides.push(o);
        }
    }
    (schedule, r.finish())
}

/// The entry's `timezone`, or `default` when absent (also when invalid, after reporting it).
fn zone(r: &mut TomlReader<'_>, t: &Table<'_, '_>, what: &str, default: Tz) -> (Tz, bool) {
    match r.string(t, "timezone", what, false) {
        None => (default, true),
        Some(z) => match parse_zone(&z.value) {
            Ok(zone) => (zone, true),
            Err(e) => {
                r.error(z.span, e, None);
                (default, false)
            }
        },
    }
}

fn instant(r: &mut TomlReader<'_>, v: Option<Located<String>>, zone: Tz) -> Option<DateTime<Utc>> {
    let v = v?;
    match parse_instant(&v.value, zone) {
        Ok(t) => Some(t),
        Err(e) => {
            r.error(v.span, e, None);
            None
        }
    }
}

fn rotation(
    r: &mut TomlReader<'_>,
    t: &Table<'_, '_>,
    what: &str,
    default_zone: Tz,
) -> Option<Rotation> {
    r.check_keys(t, ROTATION_KEYS, what);
    let before = r.diagnostics.len();
    let name = r.string(t, "name", what, true);
    if let Some(n) = &name
        && n.value.trim().is_empty()
    {
        r.error(n.span.clone(), format!("`name` in {what} is empty"), None);
    }
    let (zone, _) = zone(r, t, what, default_zone);
    let people = r.string_list(t, "people", what, true);
    if let Some(p) = &people {
        if p.value.is_empty() {
            r.error(
                p.span.clone(),
                format!("`people` in {what} is empty"),
                Some("list who takes turns, e.g. people = [\"alice\", \"bob\"]"),
            );
        }
        for person in &p.value {
            if person.value.trim().is_empty() {
                r.error(person.span.clone(), "a person's name is empty", None);
            }
        }
    }
    let start_text = r.datetime_text(t, "start", what, true);
    let start = instant(r, start_text, zone);
    let shift = r
        .string(t, "shift", what, true)
        .and_then(|s| match s.value.parse::<Duration>() {
            Ok(d) if d.as_secs() == 0 => {
                r.error(
                    s.span,
                    "`shift` must be longer than 0s",
                    Some("write e.g. \"7d\" or \"12h\""),
                );
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                r.error(s.span, e.to_string(), Some("write e.g. \"7d\" or \"12h\""));
                None
            }
        });
    let days = r.string_list(t, "days", what, false).map(|list| {
        if list.value.is_empty() {
            r.error(
                list.span.clone(),
                format!("`days` in {what} is empty"),
                Some("remove `days` to cover every day"),
            );
        }
        let mut days = Vec::new();
        for d in list.value {
            match parse_day(&d.value) {
                Some(day) => days.push(day),
                None => r.error(
                    d.span,
                    format!("`{}` is not a day of the week", d.value),
                    Some("use mon, tue, wed, thu, fri, sat or sun"),
                ),
            }
        }
        days
    });
    let hours =
        r.string(t, "hours", what, false)
            .and_then(|h| match h.value.parse::<HoursRange>() {
                Ok(range) => Some(range),
                Err(e) => {
                    r.error(h.span, e.to_string(), None);
                    None
                }
            });
    if r.diagnostics.len() > before {
        return None;
    }
    Some(Rotation {
        name: name?.value,
        people: people?.value.into_iter().map(|p| p.value).collect(),
        start: start?.with_timezone(&zone).naive_local(),
        shift: shift?,
        days,
        hours,
        zone,
    })
}

fn override_entry(
    r: &mut TomlReader<'_>,
    t: &Table<'_, '_>,
    what: &str,
    schedule: &OnCallSchedule,
    rotation_names: &[String],
    default_zone: Tz,
) -> Option<Override> {
    r.check_keys(t, OVERRIDE_KEYS, what);
    let before = r.diagnostics.len();
    let person = r.string(t, "person", what, true);
    if let Some(p) = &person
        && p.value.trim().is_empty()
    {
        r.error(p.span.clone(), format!("`person` in {what} is empty"), None);
    }
    let rotation = r.string(t, "rotation", what, false);
    if let Some(name) = &rotation
        && !rotation_names.contains(&name.value)
    {
        let known = if rotation_names.is_empty() {
            "there are no rotations".to_string()
        } else {
            format!("the rotations are: {}", rotation_names.join(", "))
        };
        r.error(
            name.span.clone(),
            format!("no rotation is named `{}`", name.value),
            Some(&known),
        );
    }
    // Without its own zone an override reads local times in its rotation's zone.
    let fallback = rotation
        .as_ref()
        .and_then(|n| schedule.rotations.iter().find(|o| o.name == n.value))
        .map_or(default_zone, |o| o.zone);
    let (zone, _) = zone(r, t, what, fallback);
    let from_text = r.datetime_text(t, "from", what, true);
    let from = instant(r, from_text, zone);
    let to_text = r.datetime_text(t, "to", what, true);
    let to_span = to_text.as_ref().map(|v| v.span.clone());
    let to = instant(r, to_text, zone);
    if let (Some(f), Some(t2), Some(span)) = (from, to, to_span)
        && t2 <= f
    {
        r.error(
            span,
            format!("`to` in {what} is not after `from`"),
            Some("an override covers from `from` (inclusive) to `to` (exclusive)"),
        );
    }
    if r.diagnostics.len() > before {
        return None;
    }
    Some(Override {
        person: person?.value,
        from: from?,
        to: to?,
        rotation: rotation.map(|r| r.value),
    })
}
