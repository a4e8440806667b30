//! `sop eval`: the spec's example conditions through the real binary, built-in variables at a
//! pinned instant, explanations, and the exit codes for true, false and errors.

use crate::support::Sandbox;

const SPEC_EXPR: &str = "severity >= 'high' && business_hours == true";

#[test]
fn the_spec_expression_holds_for_critical_during_business_hours() {
    let sb = Sandbox::new();
    let out = sb.run(&[
        "eval",
        SPEC_EXPR,
        "--vars",
        r#"{"severity": "critical"}"#,
        "--at",
        "2026-01-16T10:00:00Z",
    ]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        true
        --- stderr
        "#);
}

#[test]
fn the_spec_expression_fails_for_normal_severity_or_after_hours() {
    let sb = Sandbox::new();
    let normal = sb.run(&[
        "eval",
        SPEC_EXPR,
        "--vars",
        r#"{"severity": "normal"}"#,
        "--at",
        "2026-01-16T10:00:00Z",
    ]);
    assert_eq!(
        (normal.code, normal.stdout.as_str()),
        (1, "false\n"),
        "{normal}"
    );
    let late = sb.run(&[
        "eval",
        SPEC_EXPR,
        "--vars",
        r#"{"severity": "high"}"#,
        "--at",
        "2026-01-16T18:00:00Z",
    ]);
    assert_eq!((late.code, late.stdout.as_str()), (1, "false\n"), "{late}");
}

#[test]
fn business_hours_are_read_in_sop_timezone() {
    let mut sb = Sandbox::new();
    sb.env("SOP_TIMEZONE", "Europe/Berlin");
    // 08:30Z is 09:30 in Berlin in winter, but 10:30 in summer; 16:30Z is 17:30 / 18:30.
    let winter = sb.run(&["eval", "business_hours", "--at", "2026-01-16T16:30:00Z"]);
    assert_eq!(
        (winter.code, winter.stdout.as_str()),
        (0, "true\n"),
        "{winter}"
    );
    let summer = sb.run(&["eval", "business_hours", "--at", "2026-07-16T16:30:00Z"]);
    assert_eq!(
        (summer.code, summer.stdout.as_str()),
        (1, "false\n"),
        "{summer}"
    );
}

#[test]
fn sop_business_hours_changes_the_range() {
    let mut sb = Sandbox::new();
    sb.env("SOP_BUSINESS_HOURS", "07:00-15:00");
    let out = sb.run(&["eval", "business_hours", "--at", "2026-01-16T07:00:00Z"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "true\n"), "{out}");
    // A setting that cannot be read fails the condition closed, with the reason.
    sb.env("SOP_BUSINESS_HOURS", "7am-3pm");
    let bad = sb.run(&["eval", "business_hours", "--at", "2026-01-16T07:00:00Z"]);
    assert_eq!((bad.code, bad.stdout.as_str()), (1, ""), "{bad}");
    assert!(bad.stderr.contains("SOP_BUSINESS_HOURS"), "{bad}");
}

#[test]
fn environment_equals_production() {
    let sb = Sandbox::new();
    let expr = "environment == 'production'";
    let prod = sb.run(&["eval", expr, "--vars", r#"{"environment": "production"}"#]);
    assert_eq!((prod.code, prod.stdout.as_str()), (0, "true\n"), "{prod}");
    let staging = sb.run(&["eval", expr, "--vars", r#"{"environment": "staging"}"#]);
    assert_eq!(
        (staging.code, staging.stdout.as_str()),
        (1, "false\n"),
        "{staging}"
    );
    let unset = sb.run(&["eval", expr]);
    assert_eq!(
        (unset.code, unset.stdout.as_str()),
        (1, "false\n"),
        "{unset}"
    );
}

#[test]
fn disk_usage_compares_as_a_percentage() {
    let mut sb = Sandbox::new();
    let root = sb.root().display().to_string();
    sb.env("SOP_DISK_PATH", &root);
    let at_least_zero = sb.run(&["eval", "disk_usage >= 0%"]);
    assert_eq!(
        (at_least_zero.code, at_least_zero.stdout.as_str()),
        (0, "true\n"),
        "{at_least_zero}"
    );
    let over_full = sb.run(&["eval", "disk_usage > 101%"]);
    assert_eq!(
        (over_full.code, over_full.stdout.as_str()),
        (1, "false\n"),
        "{over_full}"
    );
    // The spec's condition decides either way; it is never an error.
    let spec = sb.run(&["eval", "disk_usage > 80%"]);
    assert!(matches!(spec.code, 0 | 1), "{spec}");
    let value = sb.run(&["eval", "disk_usage"]);
    let percent: f64 = value
        .stdout
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{value}"));
    assert!((0.0..=100.0).contains(&percent), "{value}");
}

#[test]
fn an_unmeasurable_disk_path_fails_closed() {
    let mut sb = Sandbox::new();
    sb.env("SOP_DISK_PATH", "/no/such/path/for/sop");
    let out = sb.run(&["eval", "disk_usage > 80%"]);
    assert_eq!(out.code, 1, "{out}");
    assert_eq!(out.stdout, "", "{out}");
    assert!(out.stderr.contains("/no/such/path/for/sop"), "{out}");
}

#[test]
fn explain_shows_every_sub_expression_with_notes() {
    let mut sb = Sandbox::new();
    sb.env("SOP_TIMEZONE", "Europe/Berlin");
    let out = sb.run(&[
        "eval",
        SPEC_EXPR,
        "--vars",
        r#"{"severity": "critical"}"#,
        "--at",
        "2026-01-16T18:04:00Z",
        "--explain",
    ]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 1
        --- stdout
        severity >= 'high' && business_hours == true => false
          severity >= 'high' => true
            severity => 'critical'
            'high' => 'high'
          business_hours == true => false
            business_hours => false (19:04 Europe/Berlin)
            true => true
        --- stderr
        "#);
}

#[test]
fn json_prints_value_and_explanation() {
    let sb = Sandbox::new();
    let out = sb.run(&[
        "eval",
        "Severity in ['high', 'critical']",
        "--vars",
        r#"{"severity": "high"}"#,
        "--json",
    ]);
    assert_eq!(out.code, 0, "{out}");
    insta::assert_snapshot!(out.stdout, @r#"
        {
          "explain": {
            "children": [
              {
                "outcome": "value",
                "source": "Severity",
                "span": {
                  "end": 8,
                  "start": 0
                },
                "value": "high"
              },
              {
                "outcome": "value",
                "source": "['high', 'critical']",
                "span": {
                  "end": 32,
                  "start": 12
                },
                "value": [
                  "high",
                  "critical"
                ]
              }
            ],
            "outcome": "value",
            "source": "Severity in ['high', 'critical']",
            "span": {
              "end": 32,
              "start": 0
            },
            "value": true
          },
          "value": true
        }
        "#);
}

#[test]
fn a_syntax_error_exits_2_with_a_caret_under_the_column() {
    let out = Sandbox::new().run(&["eval", "severity >= 'high' &&& weekday"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        --- stderr
        error: unexpected character `&`
          --> <expr>:1:22
          |
        1 | severity >= 'high' &&& weekday
          |                      ^
          = help: write `&&` or `and`
        error: expected a value after `&&`, found `&`
          --> <expr>:1:22
          |
        1 | severity >= 'high' &&& weekday
          |                      ^
          = help: a value is a name, a number, a quoted string, true, false, null, a [list] or a (group)
        "#);
}

#[test]
fn an_evaluation_error_exits_1_with_its_reason() {
    let out = Sandbox::new().run(&["eval", "size > 3", "--vars", r#"{"size": "abc"}"#]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 1
        --- stdout
        --- stderr
        error: cannot compare 'abc' with 3
          --> <expr>:1:1
          |
        1 | size > 3
          | ^^^^^^^^
          = help: a condition that cannot be evaluated is not met
        "#);
}

#[test]
fn bad_vars_and_bad_instants_are_usage_errors() {
    let sb = Sandbox::new();
    let not_json = sb.run(&["eval", "x", "--vars", "{severity: high}"]);
    assert_eq!(not_json.code, 2, "{not_json}");
    assert!(
        not_json.stderr.contains("--vars is not valid JSON"),
        "{not_json}"
    );
    let not_object = sb.run(&["eval", "x", "--vars", "[1]"]);
    assert_eq!(not_object.code, 2, "{not_object}");
    let bad_at = sb.run(&["eval", "now", "--at", "tomorrow"]);
    assert_eq!(bad_at.code, 2, "{bad_at}");
    assert!(bad_at.stderr.contains("--at `tomorrow`"), "{bad_at}");
}

#[test]
fn sop_now_pins_the_clock_and_at_overrides_it() {
    let mut sb = Sandbox::new();
    sb.env("SOP_NOW", "2026-01-17T11:15:00+01:00");
    let now = sb.run(&["eval", "now"]);
    assert_eq!(now.stdout, "2026-01-17T10:15:00Z\n", "{now}");
    let day = sb.run(&["eval", "DAY_OF_WEEK"]);
    assert_eq!(day.stdout, "saturday\n", "{day}");
    let weekday = sb.run(&["eval", "weekday"]);
    assert_eq!(
        (weekday.code, weekday.stdout.as_str()),
        (1, "false\n"),
        "{weekday}"
    );
    let at = sb.run(&["eval", "hour", "--at", "2026-01-19T08:00:00Z"]);
    assert_eq!(at.stdout, "8\n", "{at}");
}

#[test]
fn variables_override_built_ins() {
    let sb = Sandbox::new();
    let out = sb.run(&[
        "eval",
        "business_hours",
        "--vars",
        r#"{"Business_Hours": true}"#,
        "--at",
        "2026-01-16T23:00:00Z",
        "--explain",
    ]);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(out.stdout, "business_hours => true\n", "{out}");
}

#[test]
fn on_call_follows_the_rotation_and_its_override() {
    let sb = Sandbox::with_fixture("conditions");
    let who = |at: &str| sb.run(&["eval", "on_call", "--at", at]).stdout;
    // 09:00 CET on Monday 2026-01-12 is 08:00Z: the handoff instant belongs to bob.
    assert_eq!(who("2026-01-12T07:59:59Z"), "alice\n");
    assert_eq!(who("2026-01-12T08:00:00Z"), "bob\n");
    // Dave's override covers Wednesday 2026-01-14 (Berlin time).
    assert_eq!(who("2026-01-14T12:00:00Z"), "dave\n");
    assert_eq!(who("2026-01-14T23:00:00Z"), "bob\n");
    // Before the first handoff nobody is on call.
    let before = sb.run(&[
        "eval",
        "on_call_available",
        "--at",
        "2026-01-01T00:00:00Z",
        "--explain",
    ]);
    assert_eq!(before.code, 1, "{before}");
    assert_eq!(
        before.stdout, "on_call_available => false (nobody is on call)\n",
        "{before}"
    );
}

#[test]
fn without_oncall_toml_nobody_is_on_call_and_the_note_says_why() {
    let out = Sandbox::new().run(&["eval", "on_call_available", "--explain"]);
    assert_eq!(out.code, 1, "{out}");
    assert_eq!(
        out.stdout, "on_call_available => false (no oncall.toml in SOP_DIR)\n",
        "{out}"
    );
}

#[test]
fn a_broken_oncall_toml_fails_closed_with_its_location() {
    let sb = Sandbox::new();
    sb.file(
        "sops/oncall.toml",
        "[[rotation]]\nname = \"x\"\npeople = [\"a\"]\nstart = \"soon\"\nshift = \"1d\"\n",
    );
    let out = sb.run(&["eval", "on_call_available"]);
    assert_eq!(out.code, 1, "{out}");
    assert_eq!(out.stdout, "", "{out}");
    assert!(out.stderr.contains("[ROOT]/sops/oncall.toml:4:9"), "{out}");
    // A condition that does not read on-call is unaffected.
    let other = sb.run(&["eval", "1 == 1"]);
    assert_eq!(other.code, 0, "{other}");
}

#[test]
fn a_maintenance_window_crossing_midnight_holds_the_next_morning() {
    let sb = Sandbox::with_fixture("conditions");
    // 01:00 in Berlin on 2026-01-16 is inside the window opened at 23:00 the day before.
    let out = sb.run(&[
        "eval",
        "maintenance_window",
        "--at",
        "2026-01-16T00:00:00Z",
        "--explain",
    ]);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(
        out.stdout, "maintenance_window => true (nightly until 2026-01-16 02:00 Europe/Berlin)\n",
        "{out}"
    );
    let name = sb.run(&[
        "eval",
        "maintenance_window_name",
        "--at",
        "2026-01-16T00:00:00Z",
    ]);
    assert_eq!(name.stdout, "nightly\n", "{name}");
    let after = sb.run(&["eval", "maintenance_window", "--at", "2026-01-16T01:00:00Z"]);
    assert_eq!(
        (after.code, after.stdout.as_str()),
        (1, "false\n"),
        "{after}"
    );
}

#[test]
fn sop_names_the_sop_whose_fields_conditions_read() {
    let sb = Sandbox::with_fixture("conditions");
    let expr = "sop.name == 'office-deploy' && sop.priority == 'normal'";
    let out = sb.run(&["eval", expr, "--sop", "office-deploy"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "true\n"), "{out}");
    // Without --sop there is no SOP: the value is null, which does not hold.
    let without = sb.run(&["eval", "sop.name"]);
    assert_eq!(
        (without.code, without.stdout.as_str()),
        (1, "null\n"),
        "{without}"
    );
    let unknown = sb.run(&["eval", expr, "--sop", "office-deplyo"]);
    assert_eq!(unknown.code, 2, "{unknown}");
    assert!(
        unknown.stderr.contains("did you mean `office-deploy`?"),
        "{unknown}"
    );
}

#[test]
fn an_expression_may_start_with_a_minus_sign() {
    let sb = Sandbox::new();
    let out = sb.run(&["eval", "-1 < x", "--vars", r#"{"x": 0}"#, "--explain"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stdout.starts_with("-1 < x => true\n"), "{out}");
}

#[test]
fn huge_inputs_through_stdin_and_files_are_refused_or_bounded_never_a_crash() {
    let sb = Sandbox::new();
    // 100,000 nested parentheses: too long for one argument, so it comes on stdin.
    let nested = format!("{}true{}", "(".repeat(100_000), ")".repeat(100_000));
    let mut cmd = sb.cmd(&["eval", "-"]);
    cmd.write_stdin(nested);
    let out = sb.output(cmd);
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("the limit is 4096 bytes"), "{out}");
    // The message shows an excerpt of the line, not 200,000 characters.
    assert!(
        out.stderr.len() < 1_000,
        "{} bytes of stderr",
        out.stderr.len()
    );

    // A 1 MB string in the variables, read from a file and searched.
    let big = serde_json::json!({ "body": format!("{}needle", "x".repeat(1 << 20)) });
    sb.file("payload.json", big.to_string());
    let path = format!("@{}", sb.root().join("payload.json").display());
    let out = sb.run(&[
        "eval",
        "'needle' in body && body matches 'needle$'",
        "--vars",
        &path,
    ]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "true\n"), "{out}");
}

#[test]
fn variables_may_come_from_stdin_but_only_one_argument_may_read_it() {
    let sb = Sandbox::new();
    let mut cmd = sb.cmd(&["eval", "severity >= 'high'", "--vars", "-"]);
    cmd.write_stdin(r#"{"severity": "critical"}"#);
    let out = sb.output(cmd);
    assert_eq!((out.code, out.stdout.as_str()), (0, "true\n"), "{out}");
    let out = sb.run(&["eval", "-", "--vars", "-"]);
    assert_eq!(out.code, 2, "{out}");
    assert!(
        out.stderr.contains("standard input is already read"),
        "{out}"
    );
}

#[test]
fn without_sop_timezone_the_tz_variable_names_the_system_zone() {
    let mut sb = Sandbox::new();
    sb.env("SOP_TIMEZONE", "");
    sb.env("TZ", "America/New_York");
    let out = sb.run(&["eval", "hour", "--at", "2026-01-16T18:00:00Z", "--explain"]);
    assert_eq!(out.stdout, "hour => 13 (13:00 America/New_York)\n", "{out}");
    // SOP_TIMEZONE wins over TZ.
    sb.env("SOP_TIMEZONE", "Europe/Berlin");
    let out = sb.run(&["eval", "hour", "--at", "2026-01-16T18:00:00Z"]);
    assert_eq!(out.stdout, "19\n", "{out}");
}

#[test]
fn the_exit_code_follows_the_truth_of_the_value() {
    let sb = Sandbox::new();
    let vars =
        r#"{"missing_not": 1, "zero": 0, "no": "no", "yes": "YES", "sev": "critical", "l": [1]}"#;
    for (expr, code, printed) in [
        ("tests_passed", 1, "null"),
        ("zero", 1, "0"),
        ("no", 1, "no"),
        ("yes", 0, "YES"),
        ("missing_not", 0, "1"),
        ("sev", 0, "critical"),
        ("l", 0, "[1]"),
    ] {
        let out = sb.run(&["eval", expr, "--vars", vars]);
        assert_eq!(
            (out.code, out.stdout.trim_end()),
            (code, printed),
            "{expr}: {out}"
        );
    }
}
