//! `sop check NAME --at TIME` on fixture SOPs, and `sop check` validating the calendar files.

use crate::support::Sandbox;

#[test]
fn conditions_hold_when_a_fact_and_the_rotation_allow() {
    let mut sb = Sandbox::with_fixture("conditions");
    sb.env("SOP_TIMEZONE", "Europe/Berlin");
    sb.env("SOP_NOW", "2026-01-14T09:00:00Z");
    sb.run(&["fact", "set", "prod_down", "true"]);
    let out = sb.run(&["check", "incident-response", "--at", "2026-01-14T10:00:00Z"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        incident-response at 2026-01-14T10:00:00Z: conditions met
          ✓ ON_CALL_AVAILABLE: true (dave, override in rotation primary)
          ✓ PROD_DOWN: true (fact set by tester at 2026-01-14T09:00:00Z)
        --- stderr
        "#);
}

#[test]
fn an_unset_requirement_is_not_met_and_exits_3() {
    let sb = Sandbox::with_fixture("conditions");
    // 07:59Z on Monday 2026-01-12 is alice's last minute; 08:00Z is bob's first.
    let out = sb.run(&["check", "incident-response", "--at", "2026-01-12T08:00:00Z"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 3
        --- stdout
        incident-response at 2026-01-12T08:00:00Z: conditions not met
          ✓ ON_CALL_AVAILABLE: true (bob, rotation primary)
          ✗ PROD_DOWN: not set
        --- stderr
        "#);
}

#[test]
fn business_hours_weekday_and_maintenance_decide_an_office_deploy() {
    let mut sb = Sandbox::with_fixture("conditions");
    sb.env("SOP_TIMEZONE", "Europe/Berlin");
    let wednesday = sb.run(&[
        "check",
        "office-deploy",
        "--at",
        "2026-01-14T10:00:00+01:00",
    ]);
    insta::assert_snapshot!(wednesday.to_string(), @r#"
        exit: 0
        --- stdout
        office-deploy at 2026-01-14T09:00:00Z: conditions met
          ✓ weekday: true (wednesday 10:00 Europe/Berlin)
          ✓ !maintenance_window: true (false [no maintenance window is open])
          ✓ sop.priority == 'normal' && business_hours == true: true (sop.priority = 'normal', business_hours = true [10:00 Europe/Berlin])
        --- stderr
        "#);
    // Saturday: not a weekday.
    let saturday = sb.run(&[
        "check",
        "office-deploy",
        "--at",
        "2026-01-17T10:00:00+01:00",
    ]);
    assert_eq!(saturday.code, 3, "{saturday}");
    assert!(
        saturday
            .stdout
            .contains("✗ weekday: false (saturday 10:00 Europe/Berlin)"),
        "{saturday}"
    );
    // Wednesday 23:30 Berlin: the nightly window is open and it is after hours.
    let night = sb.run(&[
        "check",
        "office-deploy",
        "--at",
        "2026-01-14T23:30:00+01:00",
    ]);
    insta::assert_snapshot!(night.to_string(), @r#"
        exit: 3
        --- stdout
        office-deploy at 2026-01-14T22:30:00Z: conditions not met
          ✓ weekday: true (wednesday 23:30 Europe/Berlin)
          ✗ !maintenance_window: false (true [nightly until 2026-01-15 02:00 Europe/Berlin])
          ✗ sop.priority == 'normal' && business_hours == true: false (sop.priority = 'normal', business_hours = false [23:30 Europe/Berlin])
        --- stderr
        "#);
}

#[test]
fn json_lists_each_item() {
    let sb = Sandbox::with_fixture("conditions");
    let out = sb.run(&[
        "check",
        "incident-response",
        "office-deploy",
        "--at",
        "2026-01-12T08:00:00Z",
        "--json",
    ]);
    assert_eq!(out.code, 3, "{out}");
    insta::assert_snapshot!(out.stdout, @r#"
        [
          {
            "sop": "incident-response",
            "at": "2026-01-12T08:00:00Z",
            "met": false,
            "items": [
              {
                "source": "ON_CALL_AVAILABLE",
                "holds": true,
                "detail": "ON_CALL_AVAILABLE: true (bob, rotation primary)"
              },
              {
                "source": "PROD_DOWN",
                "holds": false,
                "detail": "PROD_DOWN: not set"
              }
            ]
          },
          {
            "sop": "office-deploy",
            "at": "2026-01-12T08:00:00Z",
            "met": false,
            "items": [
              {
                "source": "weekday",
                "holds": true,
                "detail": "weekday: true (monday 08:00 UTC)"
              },
              {
                "source": "!maintenance_window",
                "holds": true,
                "detail": "!maintenance_window: true (false [no maintenance window is open])"
              },
              {
                "source": "sop.priority == 'normal' && business_hours == true",
                "holds": false,
                "detail": "sop.priority == 'normal' && business_hours == true: false (sop.priority = 'normal', business_hours = false [08:00 UTC])"
              }
            ]
          }
        ]
        "#);
}

#[test]
fn a_bad_instant_is_a_usage_error() {
    let sb = Sandbox::with_fixture("conditions");
    let out = sb.run(&["check", "incident-response", "--at", "noon"]);
    assert_eq!(out.code, 2, "{out}");
    assert!(
        out.stderr.contains("--at `noon` is not an RFC 3339 time"),
        "{out}"
    );
}

const BROKEN_ONCALL: &str = r#"[[rotation]]
name = "primary"
people = ["alice"]
start = "2026-01-05T09:00:00"
shift = "0s"
timezone = "Europe/Berln"
"#;

#[test]
fn check_reports_every_calendar_problem_with_its_location() {
    let sb = Sandbox::with_fixture("conditions");
    sb.file("sops/oncall.toml", BROKEN_ONCALL);
    sb.file(
        "sops/maintenance.toml",
        "[[window]]\nname = \"nightly\"\nstart = \"0 23 * * *\"\nduraton = \"3h\"\n",
    );
    let out = sb.run(&["check"]);
    assert_eq!(out.code, 2, "{out}");
    let fails: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("FAIL"))
        .collect();
    assert_eq!(
        fails,
        [
            "FAIL [ROOT]/sops/oncall.toml: 2 problems",
            "FAIL [ROOT]/sops/maintenance.toml: 2 problems"
        ],
        "{out}"
    );
    insta::assert_snapshot!(out.stderr, @r#"
        error: `shift` must be longer than 0s
          --> [ROOT]/sops/oncall.toml:5:9
          |
        5 | shift = "0s"
          |         ^^^^
          = help: write e.g. "7d" or "12h"

        error: unknown time zone `Europe/Berln`; use an IANA name such as "Europe/Berlin" or "UTC"
          --> [ROOT]/sops/oncall.toml:6:12
          |
        6 | timezone = "Europe/Berln"
          |            ^^^^^^^^^^^^^^

        error: [[window]] #1 has no `duration`
          --> [ROOT]/sops/maintenance.toml:1:1
          |
        1 | [[window]]
          | ^^^^^^^^^^
          = help: add `duration = ...` to it

        error: unknown key `duraton` in [[window]] #1
          --> [ROOT]/sops/maintenance.toml:4:1
          |
        4 | duraton = "3h"
          | ^^^^^^^
          = help: did you mean `duration`?
        "#);
}

#[test]
fn check_json_lists_calendar_problems() {
    let sb = Sandbox::with_fixture("conditions");
    sb.file("sops/oncall.toml", BROKEN_ONCALL);
    let out = sb.run(&["check", "--json"]);
    assert_eq!(out.code, 2, "{out}");
    let json = out.json();
    let lines: Vec<(u64, u64)> = json["calendars"]
        .as_array()
        .unwrap_or_else(|| panic!("{out}"))
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["col"].as_u64().unwrap()))
        .collect();
    assert_eq!(lines, [(5, 9), (6, 12)], "{out}");
}

#[test]
fn a_broken_oncall_toml_makes_conditions_that_read_it_not_met() {
    let mut sb = Sandbox::with_fixture("conditions");
    sb.env("SOP_NOW", "2026-01-14T09:00:00Z");
    sb.file("sops/oncall.toml", BROKEN_ONCALL);
    sb.run(&["fact", "set", "prod_down", "true"]);
    let out = sb.run(&["check", "incident-response", "--at", "2026-01-14T10:00:00Z"]);
    // Only the item that reads the broken file fails; the others are still decided.
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 3
        --- stdout
        incident-response at 2026-01-14T10:00:00Z: conditions not met
          ✗ ON_CALL_AVAILABLE: not met (error: cannot read the on-call schedule: [ROOT]/sops/oncall.toml:5:9: `shift` must be longer than 0s (help: write e.g. "7d" or "12h") (and 1 more problem); run `sop check` to see every problem)
          ✓ PROD_DOWN: true (fact set by tester at 2026-01-14T09:00:00Z)
        --- stderr
        "#);
    // office-deploy does not read on-call, so it is still decided.
    let other = sb.run(&["check", "office-deploy", "--at", "2026-01-14T10:00:00Z"]);
    assert_eq!(other.code, 0, "{other}");
}

#[test]
fn a_run_whose_conditions_read_a_broken_calendar_is_skipped_not_an_error() {
    let sb = Sandbox::with_fixture("conditions");
    sb.file("sops/oncall.toml", BROKEN_ONCALL);
    // The fact the SOP requires is set as facts are: no variable may claim it.
    assert_eq!(sb.run(&["fact", "set", "prod_down", "true"]).code, 0);
    let out = sb.run(&["execute", "incident-response"]);
    assert_eq!(out.code, 3, "{out}");
    assert!(
        out.stdout
            .contains("✗ ON_CALL_AVAILABLE: not met (error: cannot read the on-call schedule"),
        "{out}"
    );
    let status = sb.run(&["status", "--json"]);
    assert_eq!(status.json()[0]["status"], "skipped", "{status}");
}

#[test]
fn a_variable_overrides_a_built_in_whose_source_is_broken() {
    let mut sb = Sandbox::with_fixture("conditions");
    sb.file("sops/oncall.toml", BROKEN_ONCALL);
    sb.env("SOP_TIMEZONE", "Mars/Olympus");
    let out = sb.run(&["eval", "on_call_available || business_hours"]);
    assert_eq!(out.code, 1, "{out}");
    assert!(
        out.stderr
            .contains("`on_call_available` cannot be read: SOP_TIMEZONE: unknown time zone"),
        "{out}"
    );
    let vars = r#"{"on_call_available": false, "business_hours": true}"#;
    let out = sb.run(&[
        "eval",
        "on_call_available || business_hours",
        "--vars",
        vars,
    ]);
    assert_eq!(out.code, 0, "{out}");
    // Short-circuiting never reads the broken name.
    let out = sb.run(&["eval", "true || business_hours"]);
    assert_eq!(out.code, 0, "{out}");
}

#[test]
fn run_variables_can_be_assumed_with_vars() {
    let sb = Sandbox::with_fixture("conditions");
    let out = sb.run(&[
        "check",
        "incident-response",
        "--at",
        "2026-01-14T10:00:00Z",
        "--vars",
        r#"{"PROD_DOWN": "yes"}"#,
    ]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        incident-response at 2026-01-14T10:00:00Z: conditions met
          ✓ ON_CALL_AVAILABLE: true (dave, override in rotation primary)
          ✓ PROD_DOWN: 'yes'
        --- stderr
        "#);
    let without_at = sb.run(&["check", "--vars", "{}"]);
    assert_eq!(without_at.code, 2, "{without_at}");
    let not_an_object = sb.run(&["check", "--at", "2026-01-14T10:00:00Z", "--vars", "[1]"]);
    assert_eq!(not_an_object.code, 2, "{not_an_object}");
}

#[test]
fn an_invalid_sop_is_named_and_the_others_are_still_decided() {
    let sb = Sandbox::with_fixture("conditions");
    sb.sop(
        "broken",
        "[sop]\nname = \"broken\"\npriority = \"urgent\"\n",
        "## Step 1: x\n",
    );
    let out = sb.run(&["check", "--at", "2026-01-14T10:00:00Z"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        broken at 2026-01-14T10:00:00Z: conditions cannot be evaluated
          ✗ the SOP is invalid; run `sop check broken` to see its problems
        incident-response at 2026-01-14T10:00:00Z: conditions not met
          ✓ ON_CALL_AVAILABLE: true (dave, override in rotation primary)
          ✗ PROD_DOWN: not set
        office-deploy at 2026-01-14T10:00:00Z: conditions met
          ✓ weekday: true (wednesday 10:00 UTC)
          ✓ !maintenance_window: true (false [no maintenance window is open])
          ✓ sop.priority == 'normal' && business_hours == true: true (sop.priority = 'normal', business_hours = true [10:00 UTC])
        --- stderr
        "#);
}
