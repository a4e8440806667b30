//! Reading `oncall.toml` into an [`OnCallSchedule`], reporting every problem with its location.

use super::{OnCallSchedule, Override, Rotation};
use crate::Diagnostic;
use crate::builtins::calendar_reader::{CalendarValues, instant};
use crate::builtins::hours_range::HoursRange;
use crate::builtins::weekdays::parse_day;
use crate::toml_read::{Reporter, TableReader, array_of_tables, named_entries};
use chrono_tz::Tz;

const ROTATION_KEYS: &[&str] = &[
    "name", "people", "start", "shift", "days", "hours", "timezone",
];
const OVERRIDE_KEYS: &[&str] = &["person", "from", "to", "rotation", "timezone"];
const ROOT_KEYS: &[&str] = &["rotation", "override"];

/// Parses `oncall.toml`. Zones default to `default_zone` (the engine's `SOP_TIMEZONE`). Entries
/// with problems are left out of the schedule; every problem is returned, in file order.
pub(super) fn parse(file: &str, text: &str, default_zone: Tz) -> (OnCallSchedule, Vec<Diagnostic>) {
    let mut r = Reporter::new(file, text);
    let doc = r.parse();
    let root = TableReader::root(&doc, "oncall.toml", ROOT_KEYS);
    root.check_keys(&mut r);

    let mut schedule = OnCallSchedule::default();
    let rotation_tables = array_of_tables(&mut r, root.table(), "rotation");
    schedule.rotations = named_entries(
        &mut r,
        &rotation_tables,
        "rotation",
        ROTATION_KEYS,
        |r, t| rotation(r, t, default_zone),
    );
    // Overrides are checked against every rotation named in the file, valid or not, so one
    // problem is not reported twice.
    let all_rotation_names: Vec<String> = rotation_tables
        .iter()
        .filter_map(|t| t.value.get("name")?.get_ref().as_str().map(str::to_string))
        .collect();

    for (i, t) in array_of_tables(&mut r, root.table(), "override")
        .into_iter()
        .enumerate()
    {
        let what = format!("[[override]] #{}", i + 1);
        let t = TableReader::new(t.value, t.span, what, OVERRIDE_KEYS);
        if let Some(o) = override_entry(&mut r, &t, &schedule, &all_rotation_names, default_zone) {
            schedule.overrides.push(o);
        }
    }
    (schedule, r.finish())
}

fn rotation(r: &mut Reporter, t: &TableReader<'_, '_>, default_zone: Tz) -> Option<Rotation> {
    let what = t.what();
    t.check_keys(r);
    let before = r.diags.len();
    let name = t.non_empty_string(r, "name");
    let zone = t.zone(r, default_zone);
    let people = t.required_string_list(r, "people");
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
    let start_text = t.datetime_text(r, "start");
    let start = instant(r, start_text, zone);
    let shift = t.positive_duration(r, "shift", "write e.g. \"7d\" or \"12h\"");
    let days = t.string_list(r, "days").map(|list| {
        if list.value.is_empty() {
            r.error(
                list.span.clone(),
                format!("`days` in {what} is empty"),
                Some("remove `days` to cover every day"),
            );
        }
        let mut days = Vec::new();
        for d in list.value {
            match parse_day(d.value) {
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
    let hours = t
        .string(r, "hours")
        .and_then(|h| match h.value.parse::<HoursRange>() {
            Ok(range) => Some(range),
            Err(e) => {
                r.error(h.span, e.to_string(), None);
                None
            }
        });
    if r.diags.len() > before {
        return None;
    }
    Some(Rotation {
        name: name?.value.to_string(),
        people: people?
            .value
            .into_iter()
            .map(|p| p.value.to_string())
            .collect(),
        start: start?.with_timezone(&zone).naive_local(),
        shift: shift?,
        days,
        hours,
        zone,
    })
}

fn override_entry(
    r: &mut Reporter,
    t: &TableReader<'_, '_>,
    schedule: &OnCallSchedule,
    rotation_names: &[String],
    default_zone: Tz,
) -> Option<Override> {
    t.check_keys(r);
    let before = r.diags.len();
    let person = t.non_empty_string(r, "person");
    let rotation = t.string(r, "rotation");
    if let Some(name) = &rotation
        && !rotation_names.iter().any(|n| n == name.value)
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
    let zone = t.zone(r, fallback);
    let covers = "an override covers from `from` (inclusive) to `to` (exclusive)";
    let range = t.interval(r, zone, covers);
    if r.diags.len() > before {
        return None;
    }
    let (from, to) = range?;
    Some(Override {
        person: person?.value.to_string(),
        from,
        to,
        rotation: rotation.map(|r| r.value.to_string()),
    })
}
