//! Reading `oncall.toml` into an [`OnCallSchedule`], reporting every problem with its location.

use super::{OnCallSchedule, Override, Rotation};
use crate::Diagnostic;
use crate::builtins::hours_range::HoursRange;
use crate::builtins::toml_reader::{Table, TomlReader};
use crate::builtins::weekdays::parse_day;
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
    let root = Table::root(&doc);
    r.check_keys(&root, &["rotation", "override"], "oncall.toml");

    let mut schedule = OnCallSchedule::default();
    let rotation_tables = r.tables(root.table, "rotation");
    schedule.rotations = r.named_entries(&rotation_tables, "rotation", |r, t, what| {
        rotation(r, t, what, default_zone)
    });
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

fn rotation(
    r: &mut TomlReader<'_>,
    t: &Table<'_, '_>,
    what: &str,
    default_zone: Tz,
) -> Option<Rotation> {
    r.check_keys(t, ROTATION_KEYS, what);
    let before = r.diagnostics.len();
    let name = r.non_empty_string(t, "name", what);
    let zone = r.zone(t, what, default_zone);
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
    let start = r.instant(start_text, zone);
    let shift = r.positive_duration(t, "shift", what, "write e.g. \"7d\" or \"12h\"");
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
    let person = r.non_empty_string(t, "person", what);
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
    let zone = r.zone(t, what, fallback);
    let covers = "an override covers from `from` (inclusive) to `to` (exclusive)";
    let range = r.interval(t, what, zone, covers);
    if r.diagnostics.len() > before {
        return None;
    }
    let (from, to) = range?;
    Some(Override {
        person: person?.value,
        from,
        to,
        rotation: rotation.map(|r| r.value),
    })
}
