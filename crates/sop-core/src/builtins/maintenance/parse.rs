//! Reading `maintenance.toml` into a [`MaintenanceCalendar`], reporting every problem located.

use super::{MaintenanceCalendar, Window, WindowTimes};
use crate::Diagnostic;
use crate::builtins::calendar_reader::CalendarValues;
use crate::definition::explain_bad_field;
use crate::toml_read::{Reporter, TableReader, array_of_tables, named_entries};
use chrono::DateTime;
use chrono_tz::Tz;
use croner::Cron;

const WINDOW_KEYS: &[&str] = &["name", "start", "duration", "from", "to", "timezone"];
const FORMS: &str = "give either a cron `start` with a `duration` (start = \"0 23 * * *\", \
                     duration = \"3h\") or explicit `from` and `to`";

/// Parses `maintenance.toml`. Zones default to `default_zone` (the engine's `SOP_TIMEZONE`).
/// Windows with problems are left out; every problem is returned, in file order.
pub(super) fn parse(
    file: &str,
    text: &str,
    default_zone: Tz,
) -> (MaintenanceCalendar, Vec<Diagnostic>) {
    let mut r = Reporter::new(file, text);
    let doc = r.parse();
    let root = TableReader::root(&doc, "maintenance.toml", &["window"]);
    root.check_keys(&mut r);
    let tables = array_of_tables(&mut r, root.table(), "window");
    let windows = named_entries(&mut r, &tables, "window", WINDOW_KEYS, |r, t| {
        window(r, t, default_zone)
    });
    (MaintenanceCalendar { windows }, r.finish())
}

fn window(r: &mut Reporter, t: &TableReader<'_, '_>, default_zone: Tz) -> Option<Window> {
    let what = t.what();
    t.check_keys(r);
    let before = r.diags.len();
    let name = t.non_empty_string(r, "name");
    let zone = t.zone(r, default_zone);
    let recurring = t.has("start") || t.has("duration");
    let fixed = t.has("from") || t.has("to");
    let times = match (recurring, fixed) {
        (true, true) => {
            let span = t
                .table()
                .get("from")
                .or(t.table().get("to"))
                .map(|v| v.span());
            r.error(
                span.unwrap_or(t.span()),
                format!("{what} mixes a cron `start`/`duration` with `from`/`to`"),
                Some(FORMS),
            );
            None
        }
        (false, false) => {
            let span = t.table().get("name").map_or(t.span(), |v| v.span());
            r.error(span, format!("{what} has no times"), Some(FORMS));
            None
        }
        (true, false) => recurring_times(r, t),
        (false, true) => fixed_times(r, t, zone),
    };
    if r.diags.len() > before {
        return None;
    }
    Some(Window {
        name: name?.value.to_string(),
        times: times?,
        zone,
    })
}

fn recurring_times(r: &mut Reporter, t: &TableReader<'_, '_>) -> Option<WindowTimes> {
    let start = t.required_string(r, "start");
    let cron = start.as_ref().and_then(|s| match s.value.parse::<Cron>() {
        // A pattern such as `0 0 31 2 *` parses but never fires; searching for it would cost
        // every evaluation a long, fruitless scan.
        Ok(c) if c.find_next_occurrence(&DateTime::UNIX_EPOCH, true).is_err() => {
            r.error(
                s.span.clone(),
                "`start` never fires",
                Some("check the day and month fields, e.g. February has no 31st"),
            );
            None
        }
        Ok(c) => Some(c),
        Err(e) => {
            let fields = s.value.split_whitespace().count();
            let why = match explain_bad_field(s.value) {
                Some(field) => field,
                None if !(5..=6).contains(&fields) && !s.value.trim().starts_with('@') => {
                    format!("it has {fields} fields, not 5 (or 6 with leading seconds)")
                }
                None => e.to_string(),
            };
            r.error(
                s.span.clone(),
                format!("`start` is not a cron pattern: {why}"),
                Some("write five fields, minute hour day month weekday, e.g. \"0 23 * * *\""),
            );
            None
        }
    });
    let duration = t.positive_duration(r, "duration", "write e.g. \"3h\"");
    Some(WindowTimes::Recurring {
        cron: Box::new(cron?),
        pattern: start?.value.to_string(),
        duration: duration?,
    })
}

fn fixed_times(r: &mut Reporter, t: &TableReader<'_, '_>, zone: Tz) -> Option<WindowTimes> {
    let covers = "a window is open from `from` (inclusive) to `to` (exclusive)";
    let (from, to) = t.interval(r, zone, covers)?;
    Some(WindowTimes::Fixed { from, to })
}
