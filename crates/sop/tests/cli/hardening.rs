//! Rules every start keeps, whoever starts the run: variables cannot decide what built-ins and
//! facts decide, and the clock cannot be moved in a release build.

use crate::support::Sandbox;

const GUARDED_TOML: &str = r#"[sop]
name = "guarded"
description = "Only on weekdays, with someone on call, in a window, after tests"
execution_mode = "auto"

[[triggers]]
type = "manual"

[conditions]
requires = ["tests_passed"]
expression = "weekday && on_call_available && maintenance_window && disk_usage < 90%"
"#;

const GUARDED_MD: &str = "# Guarded\n\n## Step 1: Act\n\n```sh\necho acted\n```\n";

/// Saturday 2026-01-17, noon UTC.
const SATURDAY: &str = "2026-01-17T12:00:00Z";

#[test]
fn variables_cannot_stand_in_for_built_ins_or_facts() {
    let mut sb = Sandbox::new();
    sb.sop("guarded", GUARDED_TOML, GUARDED_MD);
    sb.env("SOP_NOW", SATURDAY);
    let set = sb.run(&["fact", "set", "tests_passed", "false"]);
    assert_eq!(set.code, 0, "{set}");
    let vars = r#"{"weekday":true,"on_call_available":true,"maintenance_window":true,"tests_passed":true,"disk_usage":99}"#;
    let out = sb.run(&["execute", "guarded", "--vars", vars]);
    assert_eq!(out.code, 2, "{out}");
    for name in [
        "`weekday` (a built-in)",
        "`on_call_available` (a built-in)",
        "`maintenance_window` (a built-in)",
        "`disk_usage` (a built-in)",
        "`tests_passed` (a fact)",
    ] {
        assert!(out.stderr.contains(name), "{name} missing: {out}");
    }
    let status = sb.run(&["status", "--json"]);
    assert_eq!(
        status.json().as_array().map(Vec::len),
        Some(0),
        "no run: {status}"
    );

    // Without the forged names the conditions are decided by the engine: not met on a Saturday.
    let out = sb.run(&["execute", "guarded"]);
    assert_eq!(out.code, 3, "{out}");
}

#[test]
fn a_variable_cannot_claim_a_required_fact_that_is_not_set() {
    let mut sb = Sandbox::new();
    sb.sop("guarded", GUARDED_TOML, GUARDED_MD);
    sb.env("SOP_NOW", SATURDAY);
    // No `tests_passed` fact at all: before, the variable filled the name and the requirement
    // held.
    let out = sb.run(&["execute", "guarded", "--vars", r#"{"TESTS_PASSED": true}"#]);
    assert_eq!(out.code, 2, "{out}");
    assert!(
        out.stderr
            .contains("`TESTS_PASSED` (a fact the SOP requires)"),
        "{out}"
    );
}

#[test]
fn a_variable_a_condition_does_not_read_may_share_a_built_in_name() {
    let mut sb = Sandbox::new();
    sb.sop(
        "plain",
        "[sop]\nname = \"plain\"\ndescription = \"No conditions\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Plain\n\n## Step 1: Echo\n\n```sh\necho \"$SOP_VAR_HOUR\"\n```\n",
    );
    sb.env("SOP_NOW", SATURDAY);
    let out = sb.run(&["execute", "plain", "--vars", r#"{"hour": "late"}"#]);
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stdout.contains("late"), "{out}");
}

#[test]
fn a_what_if_evaluation_may_assume_any_value() {
    let mut sb = Sandbox::new();
    sb.sop("guarded", GUARDED_TOML, GUARDED_MD);
    sb.env("SOP_NOW", SATURDAY);
    let out = sb.run(&["eval", "weekday", "--vars", r#"{"weekday": true}"#]);
    assert_eq!(out.code, 0, "{out}");
    let out = sb.run(&["eval", "weekday"]);
    assert_eq!(out.code, 1, "{out}");
}

#[test]
fn sop_next_shows_escape_sequences_from_variables_escaped() {
    let sb = Sandbox::new();
    sb.sop(
        "manual",
        "[sop]\nname = \"manual\"\ndescription = \"A manual step\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Manual\n\n## Step 1: Look at {{ host }}\n\nCheck {{ host }} by hand.\n\n- [ ] ping {{ host }}\n",
    );
    let vars = r#"{"host": "web-1\u001b[2J\u001b]0;pwned\u0007"}"#;
    let out = sb.run(&["execute", "manual", "--vars", vars, "--json"]);
    assert_eq!(out.code, 4, "{out}");
    let id = out.json()["id"].as_str().unwrap().to_string();
    let next = sb.run(&["next", &id]);
    assert_eq!(next.code, 0, "{next}");
    assert!(
        !next.stdout.contains('\u{1b}'),
        "raw escape reached the terminal: {next}"
    );
    assert!(
        !next.stdout.contains('\u{7}'),
        "raw bell reached the terminal: {next}"
    );
    assert!(next.stdout.contains("web-1\\u{1b}[2J"), "{next}");
}

#[test]
fn logs_json_retried_step_numbers_and_quoted_run_ids() {
    let sb = Sandbox::new();
    sb.sop(
        "flaky",
        "[sop]\nname = \"flaky\"\ndescription = \"Fails once\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Flaky\n\n## Step 1: Try\n\n```sh\necho \"token=$SOP_VAR_API_TOKEN\"\ntest -f marker || { touch marker; exit 3; }\n```\n",
    );
    let out = sb.run(&[
        "execute",
        "flaky",
        "--vars",
        r#"{"api_token": "s3cr3t-value"}"#,
        "--json",
    ]);
    assert_eq!(out.code, 1, "{out}");
    let id = out.json()["id"].as_str().unwrap().to_string();

    let logs = sb.run(&["logs", &id, "--json"]);
    assert_eq!(logs.code, 0, "{logs}");
    let doc = logs.json();
    assert_eq!(doc["steps"][0]["exit_code"], 3, "{logs}");
    let tail = doc["steps"][0]["output_tail"].as_str().unwrap();
    assert!(tail.contains("token=[redacted]"), "{logs}");
    assert!(!logs.stdout.contains("s3cr3t-value"), "{logs}");
    let missing = sb.run(&["logs", &id, "--step", "9", "--json"]);
    assert_eq!(missing.code, 2, "{missing}");

    // The marker exists now, so the retry succeeds; its audit entry names the step.
    let retry = sb.run(&["retry", &id]);
    assert_eq!(retry.code, 0, "{retry}");
    let audit = sb.run(&["audit", &id, "--json"]);
    let entries = audit.json();
    let retried = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "step.retried")
        .expect("a step.retried entry");
    assert_eq!(retried["detail"]["step"], 1, "{audit}");

    let quoted = sb.run(&["status", "it's"]);
    assert_eq!(quoted.code, 2, "{quoted}");
    assert!(quoted.stderr.contains("no run `it's`"), "{quoted}");
}

#[test]
fn the_example_incident_response_starts_once_prod_is_down() {
    let mut sb = Sandbox::with_examples();
    sb.env("SOP_NOW", "2026-02-03T10:00:00Z");
    let vars = r#"{"service": "api", "severity": "high"}"#;
    let before = sb.run(&["execute", "incident-response", "--dry-run", "--vars", vars]);
    assert_eq!(before.code, 3, "PROD_DOWN is not set yet: {before}");
    let set = sb.run(&["fact", "set", "PROD_DOWN", "true"]);
    assert_eq!(set.code, 0, "{set}");
    let out = sb.run(&["execute", "incident-response", "--dry-run", "--vars", vars]);
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stdout.contains("conditions: met"), "{out}");
}

const TYPED_TOML: &str = r#"[sop]
name = "typed"
description = "Declares its parameters"
execution_mode = "auto"

[variables.version]
type = "string"
required = true
pattern = "[0-9]+\\.[0-9]+\\.[0-9]+"

[variables.replicas]
type = "integer"
default = 2
min = 1
max = 10

[variables.api_password]
type = "string"
secret = true
default = "opensesame"

[variables.region]
type = "string"
enum = ["eu", "us"]
default = "eu"
"#;

const TYPED_MD: &str = "# Typed\n\n## Step 1: Show\n\n```sh\necho \"v={{ version }} r={{ replicas }} region={{ region }} pw=$SOP_VAR_API_PASSWORD\"\n```\n";

#[test]
fn typed_parameters_are_checked_in_one_pass_and_defaults_fill_in() {
    let sb = Sandbox::new();
    sb.sop("typed", TYPED_TOML, TYPED_MD);
    let bad = sb.run(&[
        "execute",
        "typed",
        "--vars",
        r#"{"version": "1.2", "replicas": "3", "region": "mars", "verison": "x"}"#,
    ]);
    assert_eq!(bad.code, 2, "{bad}");
    for needle in ["`version`", "`replicas`", "`region`", "`verison`"] {
        assert!(bad.stderr.contains(needle), "{needle} not reported: {bad}");
    }
    let none = sb.run(&["status", "--json"]);
    assert_eq!(none.json().as_array().map(Vec::len), Some(0), "{none}");

    let dry = sb.run(&[
        "execute",
        "typed",
        "--dry-run",
        "--vars",
        r#"{"version": "1.2.3"}"#,
    ]);
    assert_eq!(dry.code, 0, "{dry}");
    assert!(dry.stdout.contains("parameters:"), "{dry}");
    assert!(dry.stdout.contains("replicas: integer"), "{dry}");

    let ok = sb.run(&[
        "execute",
        "typed",
        "--vars",
        r#"{"version": "1.2.3"}"#,
        "--json",
    ]);
    assert_eq!(ok.code, 0, "{ok}");
    let run = ok.json();
    assert_eq!(run["variables"]["replicas"], 2, "{ok}");
    assert_eq!(run["variables"]["api_password"], "[redacted]", "{ok}");
    let tail = run["steps"][0]["output_tail"].as_str().unwrap();
    assert!(tail.contains("v=1.2.3 r=2 region=eu pw=[redacted]"), "{ok}");
    assert!(!ok.stdout.contains("opensesame"), "{ok}");
    let schema = sb.run(&["show", "typed", "--schema"]);
    assert_eq!(
        schema.json()["required"],
        serde_json::json!(["version"]),
        "{schema}"
    );
}

#[test]
fn a_secret_typed_into_a_note_never_reaches_the_record() {
    let sb = Sandbox::new();
    sb.sop(
        "manual",
        "[sop]\nname = \"manual\"\ndescription = \"A manual step\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Manual\n\n## Step 1: Rotate\n\nRotate the key.\n",
    );
    let out = sb.run(&[
        "execute",
        "manual",
        "--vars",
        r#"{"db_pass": "pa55w0rd-xyz"}"#,
        "--json",
    ]);
    assert_eq!(out.code, 4, "{out}");
    let id = out.json()["id"].as_str().unwrap().to_string();
    let done = sb.run(&[
        "done",
        &id,
        "--note",
        "logged in with pa55w0rd-xyz, rotated",
    ]);
    assert_eq!(done.code, 0, "{done}");
    for cmd in [
        vec!["audit", id.as_str(), "--json"],
        vec!["status", id.as_str(), "--json"],
        vec!["status", id.as_str()],
    ] {
        let shown = sb.run(&cmd);
        assert!(!shown.stdout.contains("pa55w0rd-xyz"), "{cmd:?}: {shown}");
    }
    let db = rusqlite::Connection::open(sb.db_path()).unwrap();
    let notes: String = db
        .query_row(
            "SELECT group_concat(coalesce(note, ''), '|') FROM steps",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        notes.contains("logged in with [redacted], rotated"),
        "{notes}"
    );
}

#[test]
fn a_secret_a_step_prints_is_hidden_live_and_in_the_stored_output() {
    let sb = Sandbox::new();
    sb.sop(
        "leaky",
        "[sop]\nname = \"leaky\"\ndescription = \"Prints its token\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Leaky\n\n## Step 1: Print\n\n```sh\necho \"using $SOP_VAR_API_TOKEN now\"\n```\n",
    );
    let out = sb.run(&[
        "execute",
        "leaky",
        "--vars",
        r#"{"api_token": "tok-98765-abc"}"#,
    ]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        !out.stdout.contains("tok-98765-abc"),
        "live output leaked: {out}"
    );
    assert!(out.stdout.contains("using [redacted] now"), "{out}");
    let db = rusqlite::Connection::open(sb.db_path()).unwrap();
    let tail: Vec<u8> = db
        .query_row("SELECT output_tail FROM steps", [], |r| r.get(0))
        .unwrap();
    let tail = String::from_utf8_lossy(&tail);
    assert!(tail.contains("using [redacted] now"), "stored: {tail}");
}
