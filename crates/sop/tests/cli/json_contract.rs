//! The machine-facing contract: `--json` documents, their shared shapes, the error document,
//! and the agent loop (`execute` → `next` → `done` → …) driven through JSON and exit codes only.

use crate::support::{Output, Sandbox};
use serde_json::Value;
use std::collections::BTreeSet;

const LOOP_TOML: &str = r#"[sop]
name = "agent-loop"
description = "An agent drives it"
version = "1.0.0"
execution_mode = "auto"

[[triggers]]
type = "manual"
"#;

const LOOP_MD: &str = r#"# Agent loop

## Step 1: Pick a host
Choose the host for {{ service }} and report it.
- Look at the inventory
- Report `host` as an output

## Step 2: Ping it
```sh
echo "pinging {{ steps.1.host }} with $SOP_VAR_API_TOKEN"
echo "latency=12" >> "$SOP_OUTPUT"
echo "session_token=tok-123" >> "$SOP_OUTPUT"
```

## Step 3: Confirm
Latency was {{ steps.2.latency }} ms on {{ steps.1.host }}.
- Confirm it is fine
"#;

const GATED_TOML: &str = r#"[sop]
name = "gated"
description = "A gated step"
version = "1.0.0"
priority = "high"
execution_mode = "auto"
approvers = ["alice", "bob"]

[[triggers]]
type = "manual"
"#;

const GATED_MD: &str =
    "# Gated\n\n## Step 1: Ship\n<!-- sop: approval = \"required\" -->\n```sh\necho ship\n```\n";

const FAILING_TOML: &str = r#"[sop]
name = "failing"
description = "Its second step fails"
version = "1.0.0"
execution_mode = "auto"

[[triggers]]
type = "manual"

[conditions]
expression = "ready != false"
"#;

const FAILING_MD: &str = "# Failing\n\n## Step 1: Fine\n```sh\necho fine\n```\n\n## Step 2: Broken\n```sh\necho broken; exit 7\n```\n\n## Step 3: After\n```sh\necho after\n```\n";

fn sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.env("SOP_RETRY_BACKOFF", "0s");
    sb.sop("agent-loop", LOOP_TOML, LOOP_MD)
        .sop("gated", GATED_TOML, GATED_MD)
        .sop("failing", FAILING_TOML, FAILING_MD);
    sb
}

/// Runs `sop ARGS` and returns its exit code and stdout as JSON (stdout must be one document).
fn json(sb: &Sandbox, args: &[&str]) -> (i32, Value) {
    let out = sb.run(args);
    assert!(
        !out.stdout.contains("tok-123") && !out.stdout.contains("s3cr3t"),
        "{out}"
    );
    (out.code, out.json())
}

/// The keys of a JSON object.
fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

#[test]
fn an_agent_drives_a_run_through_json_and_exit_codes_alone() {
    let sb = sandbox();
    let vars = r#"{"service": "api", "api_token": "s3cr3t"}"#;
    let (code, run) = json(&sb, &["execute", "agent-loop", "--vars", vars, "--json"]);
    assert_eq!(code, 4, "{run}");
    assert_eq!(run["status"], "waiting");
    assert_eq!(run["wait_reason"], "manual_step");
    assert_eq!(run["variables"]["api_token"], "[redacted]");
    assert_eq!(run["conditions"]["met"], true);
    let id = run["id"].as_str().unwrap().to_string();

    let (code, next) = json(&sb, &["next", &id, "--json"]);
    assert_eq!(code, 0);
    assert_eq!(next["run_id"], id.as_str());
    assert_eq!(next["waiting_for"], "person");
    assert_eq!(next["step"]["number"], 1);
    assert_eq!(next["step"]["kind"], "manual");
    assert_eq!(next["step"]["title"], "Pick a host");
    assert_eq!(
        next["step"]["description"],
        "Choose the host for api and report it."
    );
    assert_eq!(
        next["step"]["checklist"],
        serde_json::json!(["Look at the inventory", "Report `host` as an output"])
    );
    assert_eq!(
        next["commands"][0],
        format!("sop done {id} [--note TEXT] [--output KEY=VALUE]")
    );

    let (code, run) = json(
        &sb,
        &[
            "done",
            &id,
            "--output",
            "host=web-1",
            "--note",
            "picked",
            "--json",
        ],
    );
    assert_eq!(code, 4, "{run}");
    assert_eq!(run["current_step"], 3);
    assert_eq!(
        run["steps"][1]["output_tail"],
        "pinging web-1 with [redacted]\n"
    );

    let (_, next) = json(&sb, &["next", &id, "--json"]);
    assert_eq!(next["step"]["number"], 3);
    assert_eq!(next["step"]["description"], "Latency was 12 ms on web-1.");
    assert_eq!(
        next["outputs"],
        serde_json::json!({"1": {"host": "web-1"}, "2": {"latency": "12", "session_token": "[redacted]"}})
    );

    let (code, run) = json(&sb, &["done", &id, "--json"]);
    assert_eq!(code, 0, "{run}");
    assert_eq!(run["status"], "succeeded");
    let (code, next) = json(&sb, &["next", &id, "--json"]);
    assert_eq!(code, 0);
    assert!(
        next["waiting_for"].is_null() && next["step"].is_null(),
        "{next}"
    );
    assert_eq!(next["commands"], serde_json::json!([]));
}

#[test]
fn the_run_object_has_one_shape_in_every_command_that_prints_it() {
    let sb = sandbox();
    let (code, executed) = json(&sb, &["execute", "gated", "--json"]);
    assert_eq!(code, 4, "{executed}");
    let id = executed["id"].as_str().unwrap().to_string();
    let (_, status) = json(&sb, &["status", &id, "--json"]);
    let (code, approved) = json(&sb, &["approve", &id, "--as", "alice", "--json"]);
    assert_eq!(code, 0, "{approved}");
    assert_eq!(keys(&executed), keys(&status));
    assert_eq!(keys(&executed), keys(&approved));
    assert_eq!(keys(&executed["steps"][0]), keys(&approved["steps"][0]));
    assert_eq!(approved["gates"][0]["decisions"][0]["actor"], "alice");
    for time in [
        &approved["created_at"],
        &approved["finished_at"],
        &approved["gates"][0]["expires_at"],
    ] {
        let text = time.as_str().unwrap_or_else(|| panic!("{time}"));
        assert!(text.ends_with('Z'), "{text}");
        chrono::DateTime::parse_from_rfc3339(text).unwrap();
    }
    assert!(approved["duration_ms"].is_u64(), "{approved}");
}

#[test]
fn next_gives_the_gate_an_approval_waits_for() {
    let sb = sandbox();
    let (_, run) = json(&sb, &["execute", "gated", "--json"]);
    let id = run["id"].as_str().unwrap();
    let (code, next) = json(&sb, &["next", id, "--json"]);
    assert_eq!(code, 0);
    assert_eq!(next["waiting_for"], "approval");
    let gate = &next["gate"];
    assert_eq!(gate["step"], 1);
    assert_eq!(gate["approvers"], serde_json::json!(["alice", "bob"]));
    assert_eq!(gate["remaining"], 1);
    assert_eq!(gate["waiting_for"], "1 more approval from alice or bob");
    assert!(gate["expires_at"].is_string(), "{gate}");
}

#[test]
fn a_failed_step_is_described_with_its_exit_code_output_and_the_decisions_left() {
    let sb = sandbox();
    let (code, run) = json(&sb, &["execute", "failing", "--json"]);
    assert_eq!(code, 1, "{run}");
    assert_eq!(run["reason"], "step 2 failed: exit code 7");
    let id = run["id"].as_str().unwrap().to_string();
    let (_, next) = json(&sb, &["next", &id, "--json"]);
    assert_eq!(next["waiting_for"], "decision");
    assert_eq!(next["reason"], "step 2 failed: exit code 7");
    assert_eq!(next["step"]["exit_code"], 7);
    assert_eq!(next["step"]["output_tail"], "broken\n");
    assert_eq!(
        next["commands"][1],
        format!("sop skip {id} --step 2 --reason TEXT")
    );
    let (code, run) = json(
        &sb,
        &["skip", &id, "--step", "2", "--reason", "known", "--json"],
    );
    assert_eq!(code, 0, "{run}");
    assert_eq!(run["steps"][1]["status"], "skipped");
}

#[test]
fn a_skipped_run_says_which_conditions_did_not_hold() {
    let sb = sandbox();
    let (code, run) = json(
        &sb,
        &[
            "execute",
            "failing",
            "--vars",
            r#"{"ready": false}"#,
            "--json",
        ],
    );
    assert_eq!(code, 3, "{run}");
    assert_eq!(run["status"], "skipped");
    assert_eq!(run["conditions"]["met"], false);
    assert_eq!(run["conditions"]["items"][0]["holds"], false);
}

/// Every error with `--json` prints `{"error": {"exit_code", "message"}}` on stdout, the exit
/// code the process exits with, and the message stderr shows.
#[test]
fn errors_with_json_are_one_error_document_matching_the_exit_code_and_stderr() {
    let sb = sandbox();
    let (_, done) = json(
        &sb,
        &[
            "execute",
            "failing",
            "--vars",
            r#"{"ready": false}"#,
            "--json",
        ],
    );
    let skipped = done["id"].as_str().unwrap().to_string();
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["status", "nope", "--json"], 2),
        (vec!["next", "nope", "--json"], 2),
        (vec!["show", "nope", "--json"], 2),
        (vec!["check", "nope", "--json"], 2),
        (vec!["execute", "nope", "--json"], 2),
        (vec!["execute", "gated", "--vars", "[1]", "--json"], 2),
        (vec!["eval", "a ==", "--json"], 2),
        (vec!["status", "--status", "bogus", "--json"], 2),
        (vec!["done", "--json"], 2),
        (vec!["fact", "list", "--json", "--bogus"], 2),
        (vec!["audit", "nope", "--json"], 2),
        (vec!["done", &skipped, "--json"], 1),
        (vec!["cancel", &skipped, "--json"], 1),
        (vec!["pause", &skipped, "--json"], 1),
        (vec!["resume", &skipped, "--json"], 1),
        (vec!["retry", &skipped, "--json"], 1),
        (vec!["approve", &skipped, "--json"], 1),
        (vec!["reject", &skipped, "--comment", "no", "--json"], 1),
    ];
    for (args, expected) in cases {
        let out: Output = sb.run(&args);
        assert_eq!(out.code, expected, "{args:?}\n{out}");
        let doc = out.json();
        assert_eq!(
            keys(&doc),
            BTreeSet::from(["error".to_string()]),
            "{args:?}\n{out}"
        );
        assert_eq!(doc["error"]["exit_code"], expected, "{args:?}\n{out}");
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(!message.is_empty());
        if !out.stderr.starts_with("error: syntax") && args[0] != "eval" {
            assert!(
                out.stderr.starts_with(&format!("error: {message}")),
                "{args:?}\n{out}"
            );
        }
    }
}

#[test]
fn eval_errors_use_the_error_object() {
    let sb = sandbox();
    let out = sb.run(&["eval", "1 +", "--json"]);
    assert_eq!(out.code, 2, "{out}");
    let doc = out.json();
    assert_eq!(
        doc["error"]["message"],
        "syntax error: unexpected character `+`"
    );
    assert_eq!(doc["error"]["diagnostics"][0]["col"], 3);
    let out = sb.run(&["eval", "s > 1", "--vars", r#"{"s": "high"}"#, "--json"]);
    assert_eq!(out.code, 1, "{out}");
    let doc = out.json();
    assert_eq!(
        doc["error"],
        serde_json::json!({"exit_code": 1, "message": "cannot compare 'high' with 1"})
    );
    assert!(doc["value"].is_null());
}

#[test]
fn fact_listings_redact_secret_named_facts() {
    let sb = sandbox();
    let out = sb.run(&["fact", "set", "db_password", "hunter2"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(!out.stdout.contains("hunter2"), "{out}");
    let out = sb.run(&["fact", "list", "--json"]);
    assert_eq!(out.json()[0]["value"], "[redacted]");
    let out = sb.run(&["fact", "list"]);
    assert!(!out.stdout.contains("hunter2"), "{out}");
    assert_eq!(sb.run(&["fact", "get", "db_password"]).stdout, "hunter2\n");
}

#[test]
fn every_listing_with_json_prints_one_document_and_nothing_else() {
    let sb = Sandbox::with_examples();
    for args in [
        vec!["list", "--json"],
        vec!["check", "--json"],
        vec!["show", "incident-response", "--json"],
        vec!["eval", "1 == 1", "--json"],
        vec!["fact", "list", "--json"],
        vec!["status", "--json"],
        vec!["pending", "--json"],
        vec!["audit", "--json"],
        vec!["audit", "verify", "--json"],
    ] {
        let out = sb.run(&args);
        assert_eq!(out.code, 0, "{args:?}\n{out}");
        out.json();
    }
}
