use super::*;
use chrono_tz::Tz;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn schedule(text: &str) -> OnCallSchedule {
    let (s, diags) = OnCallSchedule::parse("oncall.toml", text, Tz::UTC);
    assert!(diags.is_empty(), "{diags:#?}");
    s
}

fn who(s: &OnCallSchedule, at: &str) -> Option<String> {
    s.at(utc(at)).primary().map(|o| o.person.clone())
}

const WEEKLY: &str = r#"
[[rotation]]
name = "primary"
people = ["alice", "bob", "carol"]
start = "2026-01-05T09:00:00"
shift = "7d"
timezone = "Europe/Berlin"
"#;

#[test]
fn the_handoff_instant_belongs_to_the_next_person() {
    let s = schedule(WEEKLY);
    // 09:00 CET is 08:00Z.
    assert_eq!(
        who(&s, "2026-01-05T07:59:59Z"),
        None,
        "before the first turn"
    );
    assert_eq!(who(&s, "2026-01-05T08:00:00Z").as_deref(), Some("alice"));
    assert_eq!(who(&s, "2026-01-12T07:59:59Z").as_deref(), Some("alice"));
    assert_eq!(who(&s, "2026-01-12T08:00:00Z").as_deref(), Some("bob"));
    assert_eq!(who(&s, "2026-01-19T08:00:00Z").as_deref(), Some("carol"));
    assert_eq!(who(&s, "2026-01-26T08:00:00Z").as_deref(), Some("alice"));
}

#[test]
fn handoffs_keep_their_wall_clock_time_across_dst() {
    let s = schedule(WEEKLY);
    // Monday 2026-03-30 is the first handoff in CEST: 09:00 local is 07:00Z, turn 12 (alice).
    assert_eq!(who(&s, "2026-03-30T06:59:59Z").as_deref(), Some("carol"));
    assert_eq!(who(&s, "2026-03-30T07:00:00Z").as_deref(), Some("alice"));
}

#[test]
fn half_day_shifts_over_the_new_york_spring_forward_night() {
    let s = schedule(
        r#"
[[rotation]]
name = "nights"
people = ["ann", "ben"]
start = "2026-03-07T21:00:00"
shift = "12h"
timezone = "America/New_York"
"#,
    );
    // ann 21:00 EST Sat (02:00Z) until 09:00 EDT Sun (13:00Z): an 11-hour night.
    assert_eq!(who(&s, "2026-03-08T02:00:00Z").as_deref(), Some("ann"));
    assert_eq!(who(&s, "2026-03-08T12:59:59Z").as_deref(), Some("ann"));
    assert_eq!(who(&s, "2026-03-08T13:00:00Z").as_deref(), Some("ben"));
    assert_eq!(who(&s, "2026-03-09T01:00:00Z").as_deref(), Some("ann"));
}

#[test]
fn a_handoff_in_a_skipped_hour_happens_when_the_clocks_jump() {
    let s = schedule(
        r#"
[[rotation]]
name = "r"
people = ["a", "b"]
start = "2026-03-28T02:30:00"
shift = "1d"
timezone = "Europe/Berlin"
"#,
    );
    // 2026-03-29 02:30 does not exist; the clocks jump at 01:00Z.
    assert_eq!(who(&s, "2026-03-29T00:59:59Z").as_deref(), Some("a"));
    assert_eq!(who(&s, "2026-03-29T01:00:00Z").as_deref(), Some("b"));
    // The next day is back to 02:30 CEST = 00:30Z.
    assert_eq!(who(&s, "2026-03-30T00:29:59Z").as_deref(), Some("b"));
    assert_eq!(who(&s, "2026-03-30T00:30:00Z").as_deref(), Some("a"));
}

#[test]
fn days_and_hours_limit_coverage() {
    let s = schedule(
        r#"
[[rotation]]
name = "office"
people = ["alice"]
start = "2026-01-05T00:00:00Z"
shift = "7d"
days = ["mon", "tue", "wed", "thu", "fri"]
hours = "09:00-18:00"
"#,
    );
    assert_eq!(who(&s, "2026-01-07T09:00:00Z").as_deref(), Some("alice"));
    assert_eq!(who(&s, "2026-01-07T18:00:00Z"), None, "after hours");
    assert_eq!(who(&s, "2026-01-10T12:00:00Z"), None, "saturday");
    assert!(!s.at(utc("2026-01-10T12:00:00Z")).available());
}

#[test]
fn an_overnight_range_belongs_to_the_day_it_started() {
    let s = schedule(
        r#"
[[rotation]]
name = "friday-night"
people = ["owl"]
start = "2026-01-01T00:00:00Z"
shift = "7d"
days = ["fri"]
hours = "18:00-09:00"
"#,
    );
    // Friday 2026-01-09.
    assert_eq!(who(&s, "2026-01-09T20:00:00Z").as_deref(), Some("owl"));
    assert_eq!(
        who(&s, "2026-01-10T03:00:00Z").as_deref(),
        Some("owl"),
        "saturday morning"
    );
    assert_eq!(who(&s, "2026-01-09T03:00:00Z"), None, "thursday's night");
    assert_eq!(who(&s, "2026-01-10T09:00:00Z"), None);
}

const TWO_ROTATIONS: &str = r#"
[[rotation]]
name = "primary"
people = ["alice", "bob"]
start = "2026-01-05T00:00:00Z"
shift = "7d"

[[rotation]]
name = "secondary"
people = ["carol", "alice"]
start = "2026-01-05T00:00:00Z"
shift = "7d"

[[override]]
person = "dave"
from = "2026-01-06T00:00:00Z"
to = "2026-01-07T00:00:00Z"
rotation = "secondary"

[[override]]
person = "erin"
from = "2026-01-08T00:00:00Z"
to = "2026-01-08T12:00:00Z"
"#;

#[test]
fn several_rotations_list_everyone_and_the_first_is_on_call() {
    let s = schedule(TWO_ROTATIONS);
    let status = s.at(utc("2026-01-05T12:00:00Z"));
    assert_eq!(status.primary().unwrap().person, "alice");
    assert_eq!(status.people(), ["alice", "carol"]);
    assert_eq!(status.note(), "alice, rotation primary; 1 more on call");
    // Week two: bob and alice (alice listed once).
    let status = s.at(utc("2026-01-12T12:00:00Z"));
    assert_eq!(status.people(), ["bob", "alice"]);
}

#[test]
fn an_override_replaces_its_rotation_from_inclusive_to_exclusive() {
    let s = schedule(TWO_ROTATIONS);
    assert_eq!(
        s.at(utc("2026-01-05T23:59:59Z")).people(),
        ["alice", "carol"]
    );
    let during = s.at(utc("2026-01-06T00:00:00Z"));
    assert_eq!(during.people(), ["alice", "dave"]);
    assert!(during.on_call[1].by_override);
    assert_eq!(
        s.at(utc("2026-01-07T00:00:00Z")).people(),
        ["alice", "carol"]
    );
}

#[test]
fn an_override_without_rotation_comes_first() {
    let s = schedule(TWO_ROTATIONS);
    let status = s.at(utc("2026-01-08T06:00:00Z"));
    assert_eq!(status.people(), ["erin", "alice", "carol"]);
    assert_eq!(status.note(), "erin, override; 2 more on call");
    assert_eq!(who(&s, "2026-01-08T12:00:00Z").as_deref(), Some("alice"));
}

#[test]
fn an_override_covers_outside_its_rotations_hours() {
    let s = schedule(
        r#"
[[rotation]]
name = "office"
people = ["alice"]
start = "2026-01-05T00:00:00Z"
shift = "7d"
hours = "09:00-18:00"

[[override]]
person = "bob"
rotation = "office"
from = 2026-01-10T00:00:00Z
to = 2026-01-11T00:00:00Z
"#,
    );
    assert_eq!(who(&s, "2026-01-10T22:00:00Z").as_deref(), Some("bob"));
    assert_eq!(who(&s, "2026-01-09T22:00:00Z"), None);
}

#[test]
fn an_empty_file_has_nobody_on_call() {
    let status = schedule("").at(utc("2026-01-05T12:00:00Z"));
    assert!(!status.available());
    assert_eq!(status.note(), "nobody is on call");
}

#[test]
fn every_problem_is_reported_at_its_location_in_one_pass() {
    let text = r#"[[rotation]]
name = "primary"
people = []
start = "next monday"
shift = "0s"
days = ["mon", "funday"]
hours = "9-5"
timezone = "Mars/Base"
colour = "red"

[[rotation]]
people = ["x"]
start = "2026-01-05T00:00:00Z"
shift = "1d"

[[override]]
person = "dave"
from = "2026-01-07T00:00:00Z"
to = "2026-01-06T00:00:00Z"
rotation = "tertiary"

[rotations]
"#;
    let (schedule, diags) = OnCallSchedule::parse("sops/oncall.toml", text, Tz::UTC);
    assert!(schedule.rotations.is_empty() && schedule.overrides.is_empty());
    let got: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    let expected: Vec<&str> = vec![
        r#"sops/oncall.toml:3:10: `people` in [[rotation]] #1 is empty (help: list who takes turns, e.g. people = ["alice", "bob"])"#,
        r#"sops/oncall.toml:4:9: `next monday` is not a date-time; write RFC 3339 like "2026-03-01T22:00:00Z" or a local time like "2026-03-01T23:00:00" (read in UTC)"#,
        r#"sops/oncall.toml:5:9: `shift` must be longer than 0s (help: write e.g. "7d" or "12h")"#,
        r#"sops/oncall.toml:6:16: `funday` is not a day of the week (help: use mon, tue, wed, thu, fri, sat or sun)"#,
        r#"sops/oncall.toml:7:9: invalid hours `9-5`: the start is not a time of day like "09:00""#,
        r#"sops/oncall.toml:8:12: unknown time zone `Mars/Base`; use an IANA name such as "Europe/Berlin" or "UTC""#,
        r#"sops/oncall.toml:9:1: unknown key `colour` in [[rotation]] #1 (help: known keys: name, people, start, shift, days, hours, timezone)"#,
        r#"sops/oncall.toml:11:1: [[rotation]] #2 has no `name` (help: add `name = ...` to it)"#,
        r#"sops/oncall.toml:19:6: `to` in [[override]] #1 is not after `from` (help: an override covers from `from` (inclusive) to `to` (exclusive))"#,
        r#"sops/oncall.toml:20:12: no rotation is named `tertiary` (help: the rotations are: primary)"#,
        r#"sops/oncall.toml:22:2: unknown key `rotations` in oncall.toml (help: did you mean `rotation`?)"#,
    ];
    assert_eq!(got, expected);
}

#[test]
fn invalid_toml_is_located() {
    let (_, diags) = OnCallSchedule::parse("oncall.toml", "[[rotation]\nname = \n", Tz::UTC);
    assert!(!diags.is_empty());
    assert!(
        diags.iter().all(|d| d.line >= 1 && d.col >= 1),
        "{diags:#?}"
    );
    // Calendars word syntax errors as SOP.toml does, with the same help.
    assert!(diags[0].message.starts_with("TOML syntax: "), "{diags:#?}");
    assert!(diags[0].help.is_some(), "{diags:#?}");
}

#[test]
fn a_duplicate_rotation_name_is_reported_even_when_the_rotation_has_other_problems() {
    let text = "[[rotation]]\nname = \"primary\"\npeople = [\"a\"]\nstart = \"2026-01-05\"\n\
                shift = \"7d\"\n\n[[rotation]]\nname = \"primary\"\npeople = [\"b\"]\n\
                start = \"2026-01-05\"\nshift = \"7\"\n";
    let (schedule, diags) = OnCallSchedule::parse("oncall.toml", text, Tz::UTC);
    assert_eq!(schedule.rotations.len(), 1);
    let got: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        got,
        [
            "oncall.toml:8:8: a rotation named `primary` is already defined (help: give every rotation its own name)",
            r#"oncall.toml:11:9: invalid duration `7`: missing unit; use s, m, h, d or w, e.g. "90s" (help: write e.g. "7d" or "12h")"#,
        ]
    );
}

#[test]
fn wrong_types_carry_the_same_help_as_in_sop_files() {
    let text = "[[rotation]]\nname = 3\npeople = [\"alice\", 2]\nstart = 5\nshift = \"7d\"\n";
    let (_, diags) = OnCallSchedule::parse("oncall.toml", text, Tz::UTC);
    let got: Vec<String> = diags
        .iter()
        .map(|d| {
            format!(
                "{}: {} (help: {})",
                d.location(),
                d.message,
                d.help.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            r#"oncall.toml:2:8: `name` in [[rotation]] #1 must be a string, found an integer (help: put the value in double quotes: name = "...")"#,
            r#"oncall.toml:3:20: items of `people` must be strings, found an integer (help: put each item in double quotes)"#,
            r#"oncall.toml:4:9: `start` in [[rotation]] #1 must be a date-time, found an integer (help: write e.g. "2026-03-01T22:00:00Z" or "2026-03-01T23:00:00")"#,
        ]
    );
}
