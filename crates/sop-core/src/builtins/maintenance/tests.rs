use super::*;
use chrono_tz::Tz;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn calendar(text: &str) -> MaintenanceCalendar {
    let (c, diags) = MaintenanceCalendar::parse("maintenance.toml", text, Tz::UTC);
    assert!(diags.is_empty(), "{diags:#?}");
    c
}

const NIGHTLY: &str = r#"
[[window]]
name = "nightly"
start = "0 23 * * *"
duration = "3h"
timezone = "Europe/Berlin"
"#;

#[test]
fn a_window_crossing_midnight_holds_the_next_morning() {
    let c = calendar(NIGHTLY);
    // 23:00 CET on 2026-01-15 is 22:00Z; the window closes 02:00 CET (01:00Z) on the 16th.
    assert!(!c.at(utc("2026-01-15T21:59:59Z")).active());
    assert!(
        c.at(utc("2026-01-15T22:00:00Z")).active(),
        "start is inclusive"
    );
    let at_one = c.at(utc("2026-01-16T00:00:00Z")); // 01:00 local, the next day
    assert!(at_one.active());
    assert_eq!(at_one.name(), Some("nightly"));
    assert_eq!(
        at_one.note(),
        "nightly until 2026-01-16 02:00 Europe/Berlin"
    );
    assert!(c.at(utc("2026-01-16T00:59:59Z")).active());
    assert!(
        !c.at(utc("2026-01-16T01:00:00Z")).active(),
        "end is exclusive"
    );
    assert!(!c.at(utc("2026-01-16T12:00:00Z")).active());
}

#[test]
fn sub_second_instants_at_the_edges() {
    let c = calendar(NIGHTLY);
    assert!(c.at(utc("2026-01-16T00:59:59.999Z")).active());
    assert!(!c.at(utc("2026-01-15T21:59:59.999Z")).active());
}

#[test]
fn a_recurring_window_keeps_local_time_across_dst() {
    let c = calendar(NIGHTLY);
    // In summer 23:00 CEST is 21:00Z.
    assert!(c.at(utc("2026-07-01T21:00:00Z")).active());
    assert!(!c.at(utc("2026-07-01T20:59:59Z")).active());
}

#[test]
fn fixed_windows_are_start_inclusive_end_exclusive() {
    let c = calendar(
        r#"
[[window]]
name = "db-migration"
from = "2026-03-01T22:00:00Z"
to = 2026-03-02T02:00:00Z
"#,
    );
    assert!(!c.at(utc("2026-03-01T21:59:59Z")).active());
    assert!(c.at(utc("2026-03-01T22:00:00Z")).active());
    assert!(!c.at(utc("2026-03-02T02:00:00Z")).active());
}

#[test]
fn the_first_open_window_in_file_order_names_it() {
    let c = calendar(
        r#"
[[window]]
name = "weekly"
start = "0 22 * * 6"
duration = "1d"

[[window]]
name = "daily"
start = "0 0 * * *"
duration = "1h"
"#,
    );
    // Sunday 2026-01-18 00:30Z: both open.
    let s = c.at(utc("2026-01-18T00:30:00Z"));
    assert_eq!(s.open.len(), 2);
    assert_eq!(s.name(), Some("weekly"));
    assert_eq!(c.at(utc("2026-01-19T00:30:00Z")).name(), Some("daily"));
}

#[test]
fn an_empty_calendar_has_no_window() {
    let s = calendar("").at(utc("2026-01-18T00:30:00Z"));
    assert!(!s.active() && s.name().is_none());
    assert_eq!(s.note(), "no maintenance window is open");
}

#[test]
fn every_problem_is_reported_at_its_location_in_one_pass() {
    let text = r#"[[window]]
name = "nightly"
start = "0 25 * * *"
duration = "3x"

[[window]]
name = "both"
start = "0 1 * * *"
from = "2026-01-01T00:00:00Z"

[[window]]
name = "backwards"
from = "2026-01-02T00:00:00Z"
to = "2026-01-01T00:00:00Z"
timezone = "Nowhere/Land"

[[window]]
start = "0 1 * * *"
durration = "1h"

[[windows]]
name = "typo"
"#;
    let (c, diags) = MaintenanceCalendar::parse("sops/maintenance.toml", text, Tz::UTC);
    assert!(c.windows.is_empty());
    let got: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    let expected: Vec<&str> = vec![
        r#"sops/maintenance.toml:3:9: `start` is not a cron pattern: the hour field `25` is not valid (hour takes 0-23, `*`, lists `a,b`, ranges `a-b` and steps `*/n`) (help: write five fields, minute hour day month weekday, e.g. "0 23 * * *")"#,
        r#"sops/maintenance.toml:4:12: invalid duration `3x`: unknown unit; use s, m, h, d or w, e.g. "24h" (help: write e.g. "3h")"#,
        r#"sops/maintenance.toml:9:8: [[window]] #2 mixes a cron `start`/`duration` with `from`/`to` (help: give either a cron `start` with a `duration` (start = "0 23 * * *", duration = "3h") or explicit `from` and `to`)"#,
        r#"sops/maintenance.toml:14:6: `to` in [[window]] #3 is not after `from` (help: a window is open from `from` (inclusive) to `to` (exclusive))"#,
        r#"sops/maintenance.toml:15:12: unknown time zone `Nowhere/Land`; use an IANA name such as "Europe/Berlin" or "UTC""#,
        r#"sops/maintenance.toml:17:1: [[window]] #4 has no `duration` (help: add `duration = ...` to it)"#,
        r#"sops/maintenance.toml:17:1: [[window]] #4 has no `name` (help: add `name = ...` to it)"#,
        r#"sops/maintenance.toml:19:1: unknown key `durration` in [[window]] #4 (help: did you mean `duration`?)"#,
        r#"sops/maintenance.toml:21:3: unknown key `windows` in maintenance.toml (help: did you mean `window`?)"#,
    ];
    assert_eq!(got, expected);
}

#[test]
fn a_pattern_that_never_fires_is_an_error() {
    let text = "[[window]]\nname = \"never\"\nstart = \"0 0 31 2 *\"\nduration = \"1h\"\n";
    let (c, diags) = MaintenanceCalendar::parse("maintenance.toml", text, Tz::UTC);
    assert!(c.windows.is_empty());
    let got: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        got,
        [
            r#"maintenance.toml:3:9: `start` never fires (help: check the day and month fields, e.g. February has no 31st)"#
        ]
    );
}

#[test]
fn a_duplicate_name_is_reported_even_when_the_window_has_other_problems() {
    let text = "[[window]]\nname = \"nightly\"\nstart = \"0 23 * * *\"\nduration = \"3h\"\n\n\
                [[window]]\nname = \"nightly\"\nstart = \"0 23 * *\"\nduration = \"3h\"\n";
    let (c, diags) = MaintenanceCalendar::parse("maintenance.toml", text, Tz::UTC);
    assert_eq!(c.windows.len(), 1);
    let got: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        got,
        [
            r#"maintenance.toml:7:8: a window named `nightly` is already defined (help: give every window its own name)"#,
            r#"maintenance.toml:8:9: `start` is not a cron pattern: it has 4 fields, not 5 (or 6 with leading seconds) (help: write five fields, minute hour day month weekday, e.g. "0 23 * * *")"#,
        ]
    );
}
