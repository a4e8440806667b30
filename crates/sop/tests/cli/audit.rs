//! The audit trail: every event of a run in order, secrets kept out, tampering detected.

use crate::run_support::{audit_kinds, last_run, sandbox};

#[test]
fn every_event_of_a_run_is_in_the_trail_in_order() {
    let sb = sandbox();
    assert_eq!(
        sb.run(&["execute", "manual", "--vars", r#"{"service": "api"}"#])
            .code,
        4
    );
    let id = last_run(&sb, "manual");
    assert_eq!(sb.run(&["done", &id, "--output", "ticket=T-1"]).code, 0);
    assert_eq!(
        audit_kinds(&sb, &id),
        [
            "run.created",
            "run.conditions",
            "run.started",
            "step.started",
            "step.finished",
            "step.waiting",
            "step.done",
            "step.started",
            "step.finished",
            "run.finished",
        ]
    );
    let audit = sb.run(&["audit", &id, "--json"]).json();
    let created = &audit[0]["detail"];
    assert_eq!(created["sop"], "manual");
    assert_eq!(created["started_by"], "tester");
    assert_eq!(created["trigger"]["type"], "manual");
    assert_eq!(created["variables"]["service"], "api");
    assert_eq!(created["definition_hash"].as_str().unwrap().len(), 64);
    let finished = &audit[4]["detail"];
    assert_eq!(finished["exit_code"], 0);
    assert_eq!(finished["output_sha256"].as_str().unwrap().len(), 64);
    assert!(finished["duration_ms"].is_u64());
    assert_eq!(
        audit[6]["detail"]["output_keys"],
        serde_json::json!(["ticket"])
    );

    let verify = sb.run(&["audit", "verify"]);
    assert_eq!(verify.code, 0, "{verify}");
    assert_eq!(verify.stdout, "✓ the audit trail is intact: 10 entries\n");
}

#[test]
fn secret_variables_never_reach_the_trail() {
    let sb = sandbox();
    let vars = r#"{"who": "x", "db_password": "hunter2", "deploy": {"api_token": "t0k3n"}}"#;
    assert_eq!(sb.run(&["execute", "hello", "--vars", vars]).code, 0);
    let trail = sb.run(&["audit", "--json"]);
    assert!(!trail.stdout.contains("hunter2"), "{trail}");
    assert!(!trail.stdout.contains("t0k3n"), "{trail}");
    assert!(trail.stdout.contains("[redacted]"), "{trail}");
}

fn tamper(sb: &crate::support::Sandbox, sql: &str) {
    let db = rusqlite::Connection::open(sb.db_path()).unwrap();
    let changed = db.execute(sql, []).unwrap();
    assert!(changed > 0, "`{sql}` changed nothing");
}

#[test]
fn verify_names_the_first_edited_entry() {
    let sb = sandbox();
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    tamper(&sb, "UPDATE audit SET actor = 'mallory' WHERE seq = 5");
    let verify = sb.run(&["audit", "verify"]);
    assert_eq!(verify.code, 1, "{verify}");
    assert!(
        verify
            .stdout
            .starts_with("✗ the audit trail is broken at entry 5:"),
        "{verify}"
    );
    let json = sb.run(&["audit", "verify", "--json"]).json();
    assert_eq!(json["problem"]["seq"], 5);
    assert_eq!(json["problem"]["kind"], "edited");
}

#[test]
fn verify_notices_a_deleted_entry() {
    let sb = sandbox();
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    tamper(&sb, "DELETE FROM audit WHERE seq = 3");
    let verify = sb.run(&["audit", "verify", "--json"]);
    assert_eq!(verify.code, 1, "{verify}");
    let problem = &verify.json()["problem"];
    assert_eq!(problem["seq"], 3, "{verify}");
    assert_eq!(problem["kind"], "missing", "{verify}");
}

#[test]
fn prune_removes_old_details_and_keeps_the_trail_verifiable() {
    let mut sb = sandbox();
    sb.env("SOP_NOW", "2026-01-01T00:00:00Z");
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    let id = last_run(&sb, "fails");
    let prune = sb.run(&["prune", "--older-than", "90d"]);
    assert_eq!(
        prune.stdout,
        "pruned 0 runs finished before 2025-10-03 00:00:00Z (0 steps, 0 events, 0 tokens); their audit entries are kept\n"
    );
    let mut cmd = sb.cmd(&["prune", "--older-than", "90d"]);
    cmd.env("SOP_NOW", "2026-06-01T00:00:00Z");
    let pruned = sb.output(cmd);
    assert_eq!(pruned.code, 0, "{pruned}");
    assert!(pruned.stdout.starts_with("pruned 1 runs"), "{pruned}");
    let status = sb.run(&["status", &id, "--json"]);
    assert_eq!(status.code, 0, "{status}");
    assert!(!status.json()["pruned_at"].is_null(), "{status}");
    let verify = sb.run(&["audit", "verify"]);
    assert_eq!(verify.code, 0, "{verify}");
    assert!(audit_kinds(&sb, &id).contains(&"run.finished".to_string()));
}
