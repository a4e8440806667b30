//! `sop schedule`: next fire times in the trigger's zone across both DST changes of
//! Europe/Berlin and America/New_York (a skipped local time fires at the jump, a repeated one
//! once, a wildcard job keeps its pace), crontab's rule for the two day fields, six-field
//! expressions, and bad input. No server is needed.

use crate::support::Sandbox;
use serde_json::Value;

const MD: &str = "## Step 1: Go\n```bash\ntrue\n```\n";

fn cron_sop(sb: &Sandbox, name: &str, expression: &str, zone: &str) {
    sb.sop(
        name,
        &format!(
            "[sop]\nname = \"{name}\"\ndescription = \"d\"\n\n[[triggers]]\ntype = \"cron\"\nexpression = \"{expression}\"\ntimezone = \"{zone}\"\n"
        ),
        MD,
    );
}

fn next(sb: &Sandbox, name: &str, from: &str, n: &str) -> (Vec<String>, Vec<String>) {
    let out = sb.run(&["schedule", name, "--from", from, "--next", n, "--json"]);
    assert_eq!(out.code, 0, "{out}");
    let doc = out.json();
    let entry = &doc["schedules"][0];
    let list = |key: &str| -> Vec<String> {
        entry[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    (list("next"), list("next_local"))
}

#[test]
fn berlin_spring_forward_fires_at_the_jump_and_fall_back_fires_once() {
    let sb = Sandbox::new();
    cron_sop(&sb, "backup", "30 2 * * *", "Europe/Berlin");
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
    let (utc, local) = next(&sb, "backup", "2026-03-28T00:00:00Z", "3");
    assert_eq!(
        utc,
        [
            "2026-03-28T01:30:00Z",
            "2026-03-29T01:00:00Z",
            "2026-03-30T00:30:00Z"
        ]
    );
    assert_eq!(
        local,
        [
            "2026-03-28T02:30:00+01:00",
            "2026-03-29T03:00:00+02:00",
            "2026-03-30T02:30:00+02:00"
        ]
    );
    // 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice and fires once.
    let (utc, local) = next(&sb, "backup", "2026-10-24T00:00:00Z", "3");
    assert_eq!(
        utc,
        [
            "2026-10-24T00:30:00Z",
            "2026-10-25T00:30:00Z",
            "2026-10-26T01:30:00Z"
        ]
    );
    assert_eq!(local[1], "2026-10-25T02:30:00+02:00");
}

#[test]
fn a_wildcard_job_keeps_its_pace_and_a_set_time_skipped_by_any_hour_list_fires_at_the_jump() {
    let sb = Sandbox::new();
    cron_sop(&sb, "poll", "*/30 * * * *", "Europe/Berlin");
    cron_sop(&sb, "even", "23 0-20/2 * * *", "Europe/Berlin");
    // Both passes of 02:00-02:59 on the fall-back night, half an hour apart in real time.
    let (_, local) = next(&sb, "poll", "2026-10-25T00:00:00Z", "5");
    assert_eq!(
        local,
        [
            "2026-10-25T02:30:00+02:00",
            "2026-10-25T02:00:00+01:00",
            "2026-10-25T02:30:00+01:00",
            "2026-10-25T03:00:00+01:00",
            "2026-10-25T03:30:00+01:00"
        ]
    );
    // Nothing extra at the jump: 01:30 CET, then 03:00 CEST.
    let (_, local) = next(&sb, "poll", "2026-03-29T00:00:00Z", "2");
    assert_eq!(
        local,
        ["2026-03-29T01:30:00+01:00", "2026-03-29T03:00:00+02:00"]
    );
    // 02:23 does not exist that night; it fires at the jump though 03 is not in the list.
    let (_, local) = next(&sb, "even", "2026-03-28T23:30:00Z", "2");
    assert_eq!(
        local,
        ["2026-03-29T03:00:00+02:00", "2026-03-29T04:23:00+02:00"]
    );
}

#[test]
fn either_day_field_matches_unless_one_starts_with_a_star() {
    let sb = Sandbox::new();
    cron_sop(&sb, "either", "0 18 1,17 * 5", "UTC");
    cron_sop(&sb, "both", "0 18 */16 * 5", "UTC");
    let (utc, _) = next(&sb, "either", "2026-01-01T00:00:00Z", "2");
    assert_eq!(utc, ["2026-01-01T18:00:00Z", "2026-01-02T18:00:00Z"]);
    // `*/16` is the 1st and the 17th; with the star, a day must also be a Friday.
    let (utc, _) = next(&sb, "both", "2026-01-01T00:00:00Z", "2");
    assert_eq!(utc, ["2026-04-17T18:00:00Z", "2026-05-01T18:00:00Z"]);
}

#[test]
fn new_york_spring_forward_and_fall_back() {
    let sb = Sandbox::new();
    cron_sop(&sb, "report", "30 2 * * *", "America/New_York");
    cron_sop(&sb, "night", "30 1 * * *", "America/New_York");
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT.
    let (utc, local) = next(&sb, "report", "2026-03-07T12:00:00Z", "3");
    assert_eq!(
        local,
        [
            "2026-03-08T03:00:00-04:00",
            "2026-03-09T02:30:00-04:00",
            "2026-03-10T02:30:00-04:00"
        ]
    );
    assert_eq!(utc[0], "2026-03-08T07:00:00Z");
    // 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice and fires once.
    let (utc, local) = next(&sb, "night", "2026-10-31T12:00:00Z", "3");
    assert_eq!(
        utc,
        [
            "2026-11-01T05:30:00Z",
            "2026-11-02T06:30:00Z",
            "2026-11-03T06:30:00Z"
        ]
    );
    assert_eq!(local[0], "2026-11-01T01:30:00-04:00");
}

#[test]
fn every_trigger_is_listed_in_text_with_seconds_and_the_last_tick() {
    let sb = Sandbox::new();
    cron_sop(&sb, "pulse", "*/20 * * * * *", "UTC");
    sb.sop(
        "by-hand",
        "[sop]\nname = \"by-hand\"\ndescription = \"d\"\n",
        MD,
    );
    let out = sb.run(&["schedule", "--from", "2026-01-01T00:00:05Z", "--next", "2"]);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(
        out.stdout,
        "pulse — trigger 1: cron `*/20 * * * * *` in UTC (overlap skip, catch_up none)\n  next: 2026-01-01T00:00:20+00:00  (Thu 2026-01-01 00:00:20 local)\n  next: 2026-01-01T00:00:40+00:00  (Thu 2026-01-01 00:00:40 local)\n  last: none yet\n"
    );
    let doc: Value = sb.run(&["schedule", "--json", "--next", "1"]).json();
    assert_eq!(doc["schedules"].as_array().unwrap().len(), 1);
    assert_eq!(doc["schedules"][0]["last"], Value::Null);
    assert_eq!(doc["schedules"][0]["trigger"], 1);
}

#[test]
fn bad_input_says_what_to_write() {
    let sb = Sandbox::new();
    cron_sop(&sb, "pulse", "0 * * * *", "UTC");
    let out = sb.run(&["schedule", "--from", "tomorrow"]);
    assert_eq!(out.code, 2, "{out}");
    assert!(
        out.stderr
            .contains("--from `tomorrow` is not an RFC 3339 time"),
        "{out}"
    );
    let out = sb.run(&["schedule", "nope"]);
    assert_ne!(out.code, 0, "{out}");
    assert!(out.stderr.contains("nope"), "{out}");
    let out = sb.run(&["schedule", "--next", "5000"]);
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("more than 1000"), "{out}");
}
