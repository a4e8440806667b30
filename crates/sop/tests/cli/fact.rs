//! `sop fact`: set, get, unset, list, expiry at a pinned clock, and facts seen by conditions.

use crate::support::Sandbox;

fn at(sb: &mut Sandbox, now: &str) {
    sb.env("SOP_NOW", now);
}

#[test]
fn set_get_and_list() {
    let mut sb = Sandbox::new();
    at(&mut sb, "2026-01-31T09:30:00Z");
    let set = sb.run(&["fact", "set", "Tests_Passed", "true"]);
    insta::assert_snapshot!(set.to_string(), @r#"
        exit: 0
        --- stdout
        tests_passed = true
        --- stderr
        "#);
    let get = sb.run(&["fact", "get", "TESTS_PASSED"]);
    assert_eq!((get.code, get.stdout.as_str()), (0, "true\n"), "{get}");
    sb.run(&["fact", "set", "release", "v1.2.3 (rc)"]);
    sb.run(&["fact", "set", "build.number", "85", "--ttl", "2h"]);
    let list = sb.run(&["fact", "list"]);
    insta::assert_snapshot!(list.to_string(), @r#"
        exit: 0
        --- stdout
        NAME          VALUE          EXPIRES               SET BY
        build.number  85             2026-01-31T11:30:00Z  tester
        release       "v1.2.3 (rc)"  -                     tester
        tests_passed  true           -                     tester
        --- stderr
        "#);
}

#[test]
fn values_are_json_when_valid_and_strings_otherwise() {
    let sb = Sandbox::new();
    for (input, shown) in [
        ("true", "true"),
        ("85", "85"),
        ("-5", "-5"),
        ("--not-a-flag", "--not-a-flag"),
        ("\"quoted\"", "quoted"),
        ("[1, \"a\"]", "[1,\"a\"]"),
        ("plain words", "plain words"),
    ] {
        sb.run(&["fact", "set", "v", input]);
        let out = sb.run(&["fact", "get", "v"]);
        assert_eq!(out.stdout, format!("{shown}\n"), "{input}: {out}");
    }
}

#[test]
fn a_fact_expires_after_its_ttl() {
    let mut sb = Sandbox::new();
    at(&mut sb, "2026-01-31T09:30:00Z");
    let set = sb.run(&["fact", "set", "staging_verified", "yes", "--ttl", "2h"]);
    assert_eq!(
        set.stdout, "staging_verified = \"yes\" (expires 2026-01-31T11:30:00Z)\n",
        "{set}"
    );
    at(&mut sb, "2026-01-31T11:29:59Z");
    let live = sb.run(&["fact", "get", "staging_verified"]);
    assert_eq!((live.code, live.stdout.as_str()), (0, "yes\n"), "{live}");
    at(&mut sb, "2026-01-31T11:30:00Z");
    let gone = sb.run(&["fact", "get", "staging_verified"]);
    insta::assert_snapshot!(gone.to_string(), @r#"
        exit: 1
        --- stdout
        --- stderr
        error: fact `staging_verified` is not set (or has expired); `sop fact list` lists facts
        "#);
    let list = sb.run(&["fact", "list", "--json"]);
    assert_eq!(list.json(), serde_json::json!([]), "{list}");
}

#[test]
fn unset_removes_and_reports_a_missing_fact() {
    let sb = Sandbox::new();
    sb.run(&["fact", "set", "prod_down", "true"]);
    let unset = sb.run(&["fact", "unset", "PROD_DOWN"]);
    assert_eq!(
        (unset.code, unset.stdout.as_str()),
        (0, "unset prod_down\n"),
        "{unset}"
    );
    let again = sb.run(&["fact", "unset", "prod_down"]);
    assert_eq!(again.code, 1, "{again}");
    assert!(
        again.stderr.contains("fact `prod_down` is not set"),
        "{again}"
    );
    let get = sb.run(&["fact", "get", "prod_down"]);
    assert_eq!(get.code, 1, "{get}");
}

#[test]
fn list_json_has_every_field() {
    let mut sb = Sandbox::new();
    at(&mut sb, "2026-01-31T09:30:00Z");
    sb.run(&["fact", "set", "tests_passed", "true", "--ttl", "1d"]);
    let out = sb.run(&["fact", "list", "--json"]);
    assert_eq!(out.code, 0, "{out}");
    insta::assert_snapshot!(out.stdout, @r#"
        [
          {
            "expires_at": "2026-02-01T09:30:00Z",
            "name": "tests_passed",
            "set_at": "2026-01-31T09:30:00Z",
            "set_by": "tester",
            "value": true
          }
        ]
        "#);
}

#[test]
fn an_empty_list_says_so() {
    let out = Sandbox::new().run(&["fact", "list"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "No facts are set.\n"),
        "{out}"
    );
}

#[test]
fn invalid_names_and_ttls_are_usage_errors() {
    let sb = Sandbox::new();
    let name = sb.run(&["fact", "set", "tests-passed", "true"]);
    insta::assert_snapshot!(name.to_string(), @r#"
        exit: 2
        --- stdout
        --- stderr
        error: invalid fact name `tests-passed`: a condition could not read it
          = help: use letters, digits and `_`, not starting with a digit, optionally in dot-separated parts (e.g. tests_passed, deploy.ok); at most 128 characters; not a keyword such as `and` or `true`
        "#);
    // A name no condition could read is refused rather than silently unusable.
    for unreadable in ["2fa_ok", "and", "deploy.1"] {
        let out = sb.run(&["fact", "set", unreadable, "true"]);
        assert_eq!(out.code, 2, "{unreadable}: {out}");
    }
    let ttl = sb.run(&["fact", "set", "x", "1", "--ttl", "2 hours"]);
    assert_eq!(ttl.code, 2, "{ttl}");
    assert!(ttl.stderr.contains("--ttl"), "{ttl}");
    let zero = sb.run(&["fact", "set", "x", "1", "--ttl", "0s"]);
    assert_eq!(zero.code, 2, "{zero}");
}

#[test]
fn conditions_see_facts_and_variables_win_over_them() {
    let mut sb = Sandbox::new();
    at(&mut sb, "2026-01-31T09:30:00Z");
    sb.run(&["fact", "set", "tests_passed", "true"]);
    sb.run(&["fact", "set", "deploy.env", "production"]);
    let explain = sb.run(&[
        "eval",
        "TESTS_PASSED && deploy.env == 'production'",
        "--explain",
    ]);
    insta::assert_snapshot!(explain.to_string(), @r#"
        exit: 0
        --- stdout
        TESTS_PASSED && deploy.env == 'production' => true
          TESTS_PASSED => true (fact set by tester at 2026-01-31T09:30:00Z)
          deploy.env == 'production' => true
            deploy.env => 'production'
            'production' => 'production'
        --- stderr
        "#);
    let overridden = sb.run(&[
        "eval",
        "tests_passed",
        "--vars",
        r#"{"tests_passed": false}"#,
    ]);
    assert_eq!(
        (overridden.code, overridden.stdout.as_str()),
        (1, "false\n"),
        "{overridden}"
    );
}

#[test]
fn facts_override_built_ins() {
    let mut sb = Sandbox::new();
    at(&mut sb, "2026-01-31T23:00:00Z");
    let night = sb.run(&["eval", "business_hours"]);
    assert_eq!(
        (night.code, night.stdout.as_str()),
        (1, "false\n"),
        "{night}"
    );
    sb.run(&["fact", "set", "business_hours", "true"]);
    let forced = sb.run(&["eval", "business_hours"]);
    assert_eq!(
        (forced.code, forced.stdout.as_str()),
        (0, "true\n"),
        "{forced}"
    );
}

#[test]
fn set_by_is_the_acting_user() {
    let mut sb = Sandbox::new();
    sb.run(&["fact", "set", "a", "1"]);
    sb.run(&["fact", "set", "b", "1", "--as", "ci-bot"]);
    sb.env("SOP_USER", "");
    sb.env("USER", "");
    sb.env("LOGNAME", "");
    sb.run(&["fact", "set", "c", "1"]);
    let json = sb.run(&["fact", "list", "--json"]).json();
    let by: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["set_by"].as_str().unwrap())
        .collect();
    // Without SOP_USER or USER the operating-system account is still named.
    assert_eq!(by[..2], ["tester", "ci-bot"], "{json}");
    assert!(!by[2].is_empty() && by[2] != "unknown", "{json}");
}

#[test]
fn fact_changes_are_audited_with_old_and_new_values() {
    let mut sb = Sandbox::new();
    sb.env("SOP_NOW", "2026-03-01T09:00:00Z");
    assert_eq!(sb.run(&["fact", "set", "tests_passed", "false"]).code, 0);
    assert_eq!(
        sb.run(&["fact", "set", "tests_passed", "true", "--as", "ci"])
            .code,
        0
    );
    assert_eq!(sb.run(&["fact", "set", "db_password", "hunter2"]).code, 0);
    assert_eq!(
        sb.run(&["fact", "set", "window", "open", "--ttl", "1h"])
            .code,
        0
    );
    assert_eq!(
        sb.run(&["fact", "unset", "db_password", "--as", "alice"])
            .code,
        0
    );
    let mut later = sb.cmd(&["fact", "list"]);
    later.env("SOP_NOW", "2026-03-01T11:00:00Z");
    assert_eq!(sb.output(later).code, 0);

    let mut trail = sb.cmd(&["audit", "--json"]);
    trail.env("SOP_NOW", "2026-03-01T11:00:00Z");
    let trail = sb.output(trail);
    assert!(!trail.stdout.contains("hunter2"), "{trail}");
    let entries: Vec<(String, String, serde_json::Value)> = trail
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["run_id"].is_null());
            (
                e["kind"].as_str().unwrap().into(),
                e["actor"].as_str().unwrap().into(),
                e["detail"].clone(),
            )
        })
        .collect();
    let kinds: Vec<(&str, &str)> = entries
        .iter()
        .map(|(k, a, _)| (k.as_str(), a.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("fact.set", "tester"),
            ("fact.set", "ci"),
            ("fact.set", "tester"),
            ("fact.set", "tester"),
            ("fact.unset", "alice"),
            ("fact.expired", "sop"),
        ]
    );
    assert_eq!(entries[1].2["old"], false);
    assert_eq!(entries[1].2["new"], true);
    assert_eq!(entries[2].2["new"], "[redacted]");
    assert_eq!(entries[4].2["old"], "[redacted]");
    assert_eq!(entries[5].2["name"], "window");
    assert_eq!(entries[5].2["old"], "open");
    assert_eq!(entries[5].2["expired_at"], "2026-03-01T10:00:00Z");
    assert_eq!(sb.run(&["audit", "verify"]).code, 0);
}
