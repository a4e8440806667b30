//! A run's `timeout` (`[sop] timeout`): a step that outlives it is stopped as on cancel and the
//! run fails with reason `timeout`; a run nobody drives (waiting for a person or a gate) fails
//! at its deadline too — lazily when a command reads it, on time in a server with nobody
//! touching it.

use crate::run_support::{audit_kinds, last_run, run_json, sandbox, vars, wait_until};
use crate::serving::{Server, eventually, token};
use crate::support::Sandbox;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
        .unwrap()
        .with_timezone(&Utc)
}

/// Whether process `pid` still runs (a zombie waiting to be reaped does not).
fn running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// The audit entries of run `id` of kind `kind`.
fn entries(sb: &Sandbox, id: &str, kind: &str) -> Vec<Value> {
    let out = sb.run(&["audit", id, "--json"]);
    assert_eq!(out.code, 0, "{out}");
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

#[test]
fn a_step_outliving_the_run_timeout_is_stopped_and_the_run_fails_with_reason_timeout() {
    let sb = sandbox();
    sb.sop(
        "bounded",
        "[sop]\nname = \"bounded\"\ndescription = \"Bounded\"\nexecution_mode = \"auto\"\ntimeout = \"1s\"\n\
         step_timeout = \"10m\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Bounded\n\n## Step 1: Hang\n<!-- sop: retries = 2 -->\n\
         ```sh\nsleep 120 &\necho $! > \"$SOP_VAR_DIR/sleeper.pid\"\nwait\n```\n\n\
         ## Step 2: Never\n```sh\ntouch \"$SOP_VAR_DIR/never\"\n```\n",
    );
    let check = sb.run(&["check"]);
    assert_eq!(check.code, 0, "a warning does not fail the check: {check}");
    assert!(
        check
            .stderr
            .contains("`bounded` step 1: its timeout (10m) is longer than the run's timeout (1s)"),
        "{check}"
    );
    let dry = sb.run(&["run", "bounded", "--dry-run", "--vars", &vars(&sb, &[])]);
    assert!(
        dry.stdout.contains("timeout: 1s for the whole run"),
        "{dry}"
    );
    assert!(
        dry.stdout.contains("timeout 10m"),
        "step_timeout applies: {dry}"
    );
    let started = std::time::Instant::now();
    let out = sb.run(&["run", "bounded", "--vars", &vars(&sb, &[])]);
    let took = started.elapsed();
    assert_eq!(out.code, 1, "exit code of a failed run: {out}");
    assert!(
        out.stdout.contains("⏱ the run's timeout (1s) passed"),
        "{out}"
    );
    assert!(took < std::time::Duration::from_secs(60), "took {took:?}");

    let pid: u32 = std::fs::read_to_string(sb.root().join("sleeper.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!running(pid), "the step's child {pid} outlived the run");
    assert!(
        !sb.root().join("never").exists(),
        "nothing runs after the deadline"
    );

    let id = last_run(&sb, "bounded");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["reason"], "timeout", "{run}");
    assert_eq!(run["steps"][0]["status"], "cancelled", "{run}");
    assert_eq!(
        run["steps"][0]["attempts"], 1,
        "no retry past the deadline: {run}"
    );
    assert_eq!(run["steps"][1]["status"], "pending", "{run}");
    let deadline = time(&run["deadline"]);
    assert_eq!(deadline - time(&run["started_at"]), TimeDelta::seconds(1));
    assert!(time(&run["finished_at"]) >= deadline, "{run}");

    let kinds = audit_kinds(&sb, &id);
    assert_eq!(
        kinds[kinds.len() - 2..],
        ["run.timed_out", "run.finished"],
        "{kinds:?}"
    );
    let timed_out = &entries(&sb, &id, "run.timed_out")[0];
    assert_eq!(timed_out["detail"]["timeout"], "1s", "{timed_out}");
    assert_eq!(timed_out["detail"]["stopped_step"], 1, "{timed_out}");
    assert_eq!(timed_out["detail"]["outcome"], "timed_out", "{timed_out}");
    assert_eq!(time(&timed_out["detail"]["deadline"]), deadline);

    // A timed-out run is over: nothing failed that a retry could run again.
    let retry = sb.run(&["retry", &id]);
    assert_eq!(retry.code, 1, "{retry}");
    assert!(retry.stderr.contains("it timed out"), "{retry}");

    let next = sb.run(&["next", &id, "--json"]);
    assert_eq!(next.json()["waiting_for"], Value::Null, "{next}");
    assert_eq!(next.json()["step"], Value::Null, "{next}");

    let shown = sb.run(&["status", &id]);
    assert!(shown.stdout.contains("reason: timeout"), "{shown}");
    assert!(shown.stdout.contains("(timeout 1s)"), "{shown}");
}

#[test]
fn a_run_waiting_for_a_person_past_its_timeout_fails_when_next_read() {
    let sb = sandbox();
    sb.sop(
        "handoff",
        "[sop]\nname = \"handoff\"\ndescription = \"Handoff\"\nexecution_mode = \"auto\"\ntimeout = \"1s\"\n\n\
         [[triggers]]\ntype = \"manual\"\n",
        "# Handoff\n\n## Step 1: Call the vendor\n<!-- sop: manual = true -->\nCall them.\n",
    );
    let out = sb.run(&["run", "handoff"]);
    assert_eq!(out.code, 4, "waits for a person: {out}");
    let id = last_run(&sb, "handoff");
    let waiting = run_json(&sb, &id);
    assert!(waiting["deadline"].is_string(), "{waiting}");
    // No server: the deadline holds for whoever looks next.
    wait_until("the run to time out", || {
        run_json(&sb, &id)["status"] == "failed"
    });
    let run = run_json(&sb, &id);
    assert_eq!(run["reason"], "timeout", "{run}");
    assert_eq!(run["steps"][0]["status"], "cancelled", "{run}");
    let done = sb.run(&["done", &id]);
    assert_ne!(done.code, 0, "{done}");
    assert_eq!(entries(&sb, &id, "run.timed_out").len(), 1);
}

#[test]
fn a_run_waiting_at_a_gate_fails_at_its_timeout_in_a_server_with_nobody_touching_it() {
    let sb = Sandbox::new();
    sb.sop(
        "ship",
        r#"[sop]
name = "ship"
description = "Ship after an approval"
execution_mode = "supervised"
approvers = ["alice"]
approval_timeout = "1h"
timeout = "2s"

[[triggers]]
type = "manual"
"#,
        "# Ship\n\n## Step 1: Ship\n```sh\necho shipped\n```\n",
    );
    let runner = token(&sb, "carol", "read,run");
    let server = Server::start(&sb, &[]).with_token(&runner);
    let started = server.post("/api/sop/ship/trigger", &serde_json::json!({}));
    assert_eq!(started.status, 202, "{}", started.text);
    let id = started.json()["run"]["id"].as_str().unwrap().to_string();
    let waiting = server.wait_status(&id, "awaiting_approval");
    let deadline = time(&waiting["deadline"]);

    // Only the audit trail is read from here on: reading the run would apply its deadline.
    let audit_path = format!("/api/runs/{id}/audit");
    let timed_out = || {
        server.get(&audit_path).json()["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "run.timed_out")
            .cloned()
    };
    eventually("the server to time the run out", || timed_out().is_some());
    let entry = timed_out().unwrap();
    assert_eq!(entry["actor"], "sop-server", "{entry}");
    let at = time(&entry["at"]);
    assert!(
        at >= deadline,
        "applied before its deadline: {at} < {deadline}"
    );
    // On time: well before the timer's 30-second look at the store.
    assert!(
        at - deadline < TimeDelta::seconds(10),
        "applied {} after the deadline",
        at - deadline
    );
    let audit = server.get(&audit_path).json();
    let closed = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "gate.closed")
        .unwrap_or_else(|| panic!("the gate stayed open: {audit}"));
    assert_eq!(closed["detail"]["status"], "cancelled", "{closed}");
    assert_eq!(closed["detail"]["because"], "timed_out", "{closed}");

    let run = server.wait_status(&id, "failed");
    assert_eq!(run["reason"], "timeout", "{run}");
    assert_eq!(run["steps"][0]["status"], "pending", "nothing ran: {run}");
    let verify = server.get("/api/audit/verify").json();
    assert_eq!(verify["intact"], true);
}

#[test]
fn a_server_driving_a_step_past_the_run_timeout_stops_it_and_fails_the_run() {
    let sb = Sandbox::new();
    let pidfile = sb.root().join("sleeper.pid");
    sb.sop(
        "hang",
        "[sop]\nname = \"hang\"\ndescription = \"Hang\"\nexecution_mode = \"auto\"\n\
         timeout = \"1s\"\n\n[[triggers]]\ntype = \"manual\"\n",
        &format!(
            "# Hang\n\n## Step 1: Hang\n```sh\nsleep 120 &\necho $! > '{}'\nwait\n```\n",
            pidfile.display()
        ),
    );
    let runner = token(&sb, "carol", "read,run");
    let server = Server::start(&sb, &[]).with_token(&runner);
    let started = server.post("/api/sop/hang/trigger", &serde_json::json!({}));
    assert_eq!(started.status, 202, "{}", started.text);
    let id = started.json()["run"]["id"].as_str().unwrap().to_string();
    let run = server.wait_status(&id, "failed");
    assert_eq!(run["reason"], "timeout", "{run}");
    assert_eq!(run["steps"][0]["status"], "cancelled", "{run}");
    assert!(time(&run["finished_at"]) >= time(&run["deadline"]), "{run}");
    let pid: u32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!running(pid), "the step's child {pid} outlived the run");
    let audit = server.get(&format!("/api/runs/{id}/audit")).json();
    let kinds: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"run.timed_out"), "{kinds:?}");
}
