//! Events: `POST /api/events` on a live server starting runs for glob and exact triggers whose
//! condition holds, a cooldown holding back repeats (recorded with the run that began it), and
//! `sop emit` without a server leaving runs pending, with the clock injected to pass a cooldown.

use crate::serving::{Server, token};
use crate::support::Sandbox;
use serde_json::{Value, json};

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.sop(
        "rollback",
        r#"[sop]
name = "rollback"
description = "Roll a failed deploy back"
execution_mode = "auto"

[[triggers]]
type = "event"
event = "deploy.*"
condition = "environment == 'production' && hour != 99"
cooldown = "10m"
"#,
        "# Rollback\n\n## Step 1: Roll back\n```sh\necho \"rolling back {{ service }}\"\n```\n",
    );
    sb.sop(
        "record-failure",
        r#"[sop]
name = "record-failure"
description = "Note every failed deploy"
execution_mode = "auto"

[[triggers]]
type = "event"
event = "deploy.failed"
"#,
        "# Record\n\n## Step 1: Note\n```sh\ntrue\n```\n",
    );
    sb.sop(
        "build-broke",
        r#"[sop]
name = "build-broke"
description = "Another event"

[[triggers]]
type = "event"
event = "build.failed"
"#,
        "# Build\n\n## Step 1: Look\nLook at the build.\n",
    );
    sb
}

/// `(sop, outcome, run)` of each outcome.
fn outcomes(event: &Value) -> Vec<(String, String, Option<String>)> {
    event["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["sop"].as_str().unwrap().to_string(),
                o["outcome"].as_str().unwrap().to_string(),
                o["run"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn events_start_matching_sops_whose_condition_holds_and_cooldowns_hold_back_repeats() {
    let sb = sandbox();
    let runner = token(&sb, "carol", "read,run");
    let server = Server::start(&sb, &[]).with_token(&runner);
    let emit = |event: &str, data: Value| {
        let reply = server.post("/api/events", &json!({"event": event, "data": data}));
        assert_eq!(reply.status, 202, "{}", reply.text);
        reply.json()["event"].clone()
    };

    let first = emit(
        "deploy.failed",
        json!({"environment": "production", "service": "api"}),
    );
    assert_eq!(first["event"], "deploy.failed");
    assert_eq!(first["source"], "api");
    let got = outcomes(&first);
    assert_eq!(
        got.iter()
            .map(|(s, o, _)| (s.as_str(), o.as_str()))
            .collect::<Vec<_>>(),
        [("record-failure", "started"), ("rollback", "started")],
        "build-broke does not match; both others do: {first}"
    );
    let rollback_run = got[1].2.clone().unwrap();
    let done = server.wait_status(&rollback_run, "succeeded");
    assert_eq!(done["trigger_type"], "event");
    assert_eq!(done["variables"]["service"], "api");
    assert_eq!(done["steps"][0]["output_tail"], "rolling back api\n");

    // Within the cooldown: rollback is held back, naming the run that began it; the exact
    // trigger without a cooldown starts again.
    let second = emit(
        "deploy.failed",
        json!({"environment": "production", "service": "api"}),
    );
    let got = outcomes(&second);
    assert_eq!(got[0].1, "started");
    assert_eq!(
        got[1],
        (
            "rollback".to_string(),
            "cooldown".to_string(),
            Some(rollback_run.clone())
        )
    );
    let reason = second["outcomes"][1]["reason"].as_str().unwrap();
    assert!(reason.contains("cooldown runs until"), "{reason}");

    // The glob matches another event; a condition that does not hold on the data skips it,
    // and the data cannot stand in for the built-in `hour`.
    let third = emit(
        "deploy.started",
        json!({"environment": "staging", "service": "api"}),
    );
    assert_eq!(
        outcomes(&third),
        [("rollback".to_string(), "skipped".to_string(), None)]
    );
    let reason = third["outcomes"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("environment == 'production'") && reason.contains("staging"),
        "{reason}"
    );
    let shadow = server.post(
        "/api/events",
        &json!({"event": "deploy.started", "data": {"environment": "production", "hour": 99}}),
    );
    assert_eq!(shadow.status, 202, "{}", shadow.text);
    let o = &shadow.json()["event"]["outcomes"][0];
    assert_ne!(
        o["outcome"], "started",
        "data named `hour` decided a condition: {o}"
    );

    let bad = server.post("/api/events", &json!({"event": "Deploy.*"}));
    assert_eq!(bad.status, 422, "{}", bad.text);

    // The record: newest first, each event with its outcomes.
    let listed = sb.run(&["events", "--json", "--limit", "3"]);
    assert_eq!(listed.code, 0, "{listed}");
    let events = listed.json()["events"].clone();
    assert_eq!(events.as_array().unwrap().len(), 3);
    assert_eq!(events[0]["id"], shadow.json()["event"]["id"]);
    assert_eq!(events[2]["outcomes"][1]["outcome"], "cooldown");
    let text = sb.run(&["events", "--limit", "4"]);
    assert!(
        text.stdout.contains(&format!(
            "rollback (trigger 1): started run {rollback_run} (succeeded)"
        )),
        "{}",
        text.stdout
    );
}

#[test]
fn emit_without_a_server_leaves_runs_pending_and_a_cooldown_passes_with_the_clock() {
    let sb = sandbox();
    let emit = |now: &str| {
        let mut cmd = sb.cmd(&[
            "emit",
            "deploy.rolled",
            "--data",
            r#"{"environment": "production", "service": "web"}"#,
        ]);
        cmd.env("SOP_NOW", now);
        sb.output(cmd)
    };
    let first = emit("2026-03-02T09:00:00Z");
    assert_eq!(first.code, 0, "{first}");
    assert!(
        first.stdout.contains("rollback (trigger 1): started run")
            && first.stdout.contains("(pending)"),
        "{}",
        first.stdout
    );
    assert!(
        first
            .stdout
            .contains("1 run is left pending; no server is running"),
        "{}",
        first.stdout
    );
    let held = emit("2026-03-02T09:09:59Z");
    assert!(
        held.stdout.contains(
            "rollback (trigger 1): held back: the trigger's cooldown runs until 2026-03-02T09:10:00Z"
        ),
        "{}",
        held.stdout
    );
    let again = emit("2026-03-02T09:10:00Z");
    assert!(
        again.stdout.contains("rollback (trigger 1): started run"),
        "{}",
        again.stdout
    );
    let json = sb.run(&["events", "--json"]).json();
    let kinds: Vec<&str> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcomes"][0]["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["started", "cooldown", "started"]);
}

#[test]
fn an_event_nothing_listens_to_names_a_close_one_that_something_does() {
    let sb = sandbox();
    let out = sb.run(&["emit", "build.faild"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stdout.contains(
            "no SOP has an event trigger matching `build.faild`\n  did you mean `build.failed`?"
        ),
        "{out}"
    );
}
