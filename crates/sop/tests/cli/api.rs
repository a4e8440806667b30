//! The HTTP API through a real `sop serve` and a real HTTP client: the spec's three endpoints
//! with the spec's bodies, every other endpoint, and the OpenAPI document against the router.

use crate::serving::{Server, token};
use crate::support::Sandbox;
use serde_json::{Value, json};

/// The spec's incident-response SOP (runs through when PROD_DOWN and ON_CALL_AVAILABLE are
/// set), a step-by-step deploy with two gates, a manual step, and a cron-only SOP.
pub fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.sop(
        "incident-response",
        r#"[sop]
name = "incident-response"
description = "Handle production incidents"
version = "1.0.0"
author = "ops-team"
priority = "high"
execution_mode = "auto"

[[triggers]]
type = "webhook"
path = "/incident"

[[triggers]]
type = "manual"

[conditions]
requires = ["PROD_DOWN", "ON_CALL_AVAILABLE"]
"#,
        "# Incident\n\n## Step 1: Assess\n```sh\necho \"severity {{ severity }} on {{ service }}\"\n```\n\n## Step 2: Notify\n```sh\ntrue\n```\n",
    );
    sb.sop(
        "deploy",
        r#"[sop]
name = "deploy"
description = "Deploy with a person at each step"
priority = "normal"
execution_mode = "step_by_step"
approvers = ["alice", "bob"]

[[triggers]]
type = "manual"
"#,
        "# Deploy\n\n## Step 1: Build\n```sh\necho built\n```\n\n## Step 2: Ship\n```sh\necho shipped\n```\n",
    );
    sb.sop(
        "checklist",
        r#"[sop]
name = "checklist"
description = "A person checks in the middle"
execution_mode = "auto"

[[triggers]]
type = "manual"
"#,
        "# Checklist\n\n## Step 1: Prepare\n```sh\necho prepared\n```\n\n## Step 2: Look\n\n<!-- sop: manual = true -->\n\nLook at the dashboard.\n\n- It is green\n\n## Step 3: Fail\n```sh\nexit 3\n```\n\n## Step 4: After\n```sh\necho after\n```\n",
    );
    sb.sop(
        "nightly",
        r#"[sop]
name = "nightly"
description = "Only on a schedule"

[[triggers]]
type = "cron"
expression = "0 2 * * *"
"#,
        "# Nightly\n\n## Step 1: Run\n```sh\ntrue\n```\n",
    );
    sb
}

fn facts_up(sb: &Sandbox) {
    for name in ["PROD_DOWN", "ON_CALL_AVAILABLE"] {
        assert_eq!(sb.run(&["fact", "set", name, "true"]).code, 0);
    }
}

fn id_of(reply: &crate::serving::Reply) -> String {
    reply.json()["run"]["id"].as_str().unwrap().to_string()
}

#[test]
fn the_specs_three_endpoints_with_the_specs_bodies() {
    let sb = sandbox();
    facts_up(&sb);
    let runner = token(&sb, "carol", "read,run");
    let alice = token(&sb, "alice", "approve,read");
    let server = Server::start(&sb, &[]).with_token(&runner);

    let started = server.post(
        "/api/sop/incident-response/trigger",
        &json!({"variables": {"severity": "high", "service": "api"}}),
    );
    assert_eq!(started.status, 202, "{}", started.text);
    let id = id_of(&started);
    assert_eq!(
        started.header("location"),
        Some(format!("/api/runs/{id}").as_str())
    );
    assert_eq!(started.json()["run"]["started_by"], "carol");
    let run = server.wait_status(&id, "succeeded");
    assert_eq!(run["steps"][0]["output_tail"], "severity high on api\n");

    let status = server.get("/api/sop/incident-response/status").json();
    assert_eq!(status["sop"]["name"], "incident-response");
    assert_eq!(status["sop"]["priority"], "high");
    assert_eq!(status["sop"]["execution_mode"], "auto");
    assert_eq!(status["sop"]["valid"], true);
    assert_eq!(
        status["sop"]["triggers"][0],
        json!({"type": "webhook", "path": "/incident"})
    );
    assert_eq!(status["runs"][0]["id"], id.as_str());
    assert_eq!(status["active"], 0);

    // The spec's approve body decides step 2 of a step-by-step run the server executes.
    let deploy = server.post("/api/sop/deploy/trigger", &json!({}));
    assert_eq!(deploy.status, 202, "{}", deploy.text);
    let id = id_of(&deploy);
    server.wait_status(&id, "awaiting_approval");
    let approver = Server::start(&sb, &[]).with_token(&alice);
    let first = approver.post(
        &format!("/api/sop/run/{id}/approve"),
        &json!({"step": 1, "approved": true, "comment": "Go"}),
    );
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json()["gate"]["step"], 1);
    server.wait_run(&id, "at the gate of step 2", |r| {
        r["status"] == "awaiting_approval" && r["gates"].as_array().unwrap().len() == 2
    });
    let second = approver.post(
        &format!("/api/sop/run/{id}/approve"),
        &json!({"step": 2, "approved": true, "comment": "Looks good"}),
    );
    assert_eq!(second.status, 200, "{}", second.text);
    let body = second.json();
    assert_eq!(body["gate"]["status"], "approved");
    assert_eq!(body["gate"]["decisions"][0]["actor"], "alice");
    assert_eq!(body["gate"]["decisions"][0]["comment"], "Looks good");
    let run = server.wait_status(&id, "succeeded");
    assert_eq!(run["steps"][1]["output_tail"], "shipped\n");
}

#[test]
fn starts_refused_by_conditions_triggers_and_names() {
    let sb = sandbox();
    let admin = token(&sb, "root", "admin");
    let runner = token(&sb, "carol", "run,read");
    let server = Server::start(&sb, &[]).with_token(&runner);

    let skipped = server.post(
        "/api/sop/incident-response/trigger",
        &json!({"variables": {"severity": "low", "service": "db"}}),
    );
    assert_eq!(skipped.status, 409, "{}", skipped.text);
    assert_eq!(skipped.error_code(), "conditions_not_met");
    let body = skipped.json();
    assert_eq!(body["run"]["status"], "skipped");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("PROD_DOWN"),
        "{body}"
    );

    assert_eq!(server.post("/api/sop/nope/trigger", &json!({})).status, 404);
    let cron = server.post("/api/sop/nightly/trigger", &json!({}));
    assert_eq!(cron.status, 409, "{}", cron.text);
    let forced = server.post("/api/sop/nightly/trigger", &json!({"force": true}));
    assert_eq!(forced.status, 403, "force needs admin: {}", forced.text);
    let admin_server = Server::start(&sb, &[]).with_token(&admin);
    let forced = admin_server.post("/api/sop/nightly/trigger", &json!({"force": true}));
    assert_eq!(forced.status, 202, "{}", forced.text);
    assert_eq!(forced.json()["run"]["forced"], true);

    let bad = server.post("/api/sop/deploy/trigger", &json!({"variables": [1]}));
    assert_eq!(bad.status, 422, "{}", bad.text);
    let unknown = server.post("/api/sop/deploy/trigger", &json!({"varaibles": {}}));
    assert_eq!(unknown.status, 422, "{}", unknown.text);
}

#[test]
fn reading_sops_runs_logs_next_audit_and_pending_gates() {
    let sb = sandbox();
    facts_up(&sb);
    let server = Server::start(&sb, &[]);
    let sops = server.get("/api/sops").json();
    let names: Vec<&str> = sops["sops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["checklist", "deploy", "incident-response", "nightly"]
    );
    let one = server.get("/api/sops/checklist").json();
    assert_eq!(one["sop"]["steps"][1]["kind"], "manual");
    assert_eq!(server.get("/api/sops/missing").status, 404);

    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = server.post(
            "/api/sop/incident-response/trigger",
            &json!({"variables": {"severity": "low", "service": "db"}}),
        );
        ids.push(id_of(&r));
    }
    for id in &ids {
        server.wait_status(id, "succeeded");
    }
    let page = server
        .get("/api/runs?sop=incident-response&status=succeeded&limit=2")
        .json();
    let first: Vec<&str> = page["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(first.len(), 2);
    let before = page["next_before"].as_str().unwrap();
    let rest = server
        .get(&format!(
            "/api/runs?sop=incident-response&limit=2&before={before}"
        ))
        .json();
    assert_eq!(rest["runs"].as_array().unwrap().len(), 1);
    assert_eq!(server.get("/api/runs?status=bogus").status, 422);
    assert_eq!(server.get("/api/runs?limit=0").status, 422);
    assert_eq!(server.get("/api/runs?limit=x").status, 400);

    let logs = server
        .get(&format!("/api/runs/{}/logs?step=1", ids[0]))
        .json();
    assert_eq!(logs["steps"][0]["output"], "severity low on db\n");
    assert_eq!(
        server
            .get(&format!("/api/runs/{}/logs?step=9", ids[0]))
            .status,
        404
    );
    let next = server.get(&format!("/api/runs/{}/next", ids[0])).json();
    assert_eq!(next["waiting_for"], Value::Null);
    let audit = server.get(&format!("/api/runs/{}/audit", ids[0])).json();
    let kinds: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"run.created") && kinds.contains(&"run.finished"),
        "{kinds:?}"
    );
    let verify = server.get("/api/audit/verify").json();
    assert_eq!(verify["intact"], true);

    let deploy = id_of(&server.post("/api/sop/deploy/trigger", &json!({})));
    server.wait_status(&deploy, "awaiting_approval");
    let pending = server.get("/api/approvals/pending").json();
    assert_eq!(pending["gates"][0]["run_id"], deploy.as_str());
    let next = server.get(&format!("/api/runs/{deploy}/next")).json();
    assert_eq!(next["waiting_for"], "approval");
    assert_eq!(next["gate"]["step"], 1);
}

#[test]
fn steering_runs_pause_resume_cancel_complete_retry_skip() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let id = id_of(&server.post("/api/sop/checklist/trigger", &json!({})));
    server.wait_run(&id, "waiting for a person", |r| r["status"] == "waiting");
    let next = server.get(&format!("/api/runs/{id}/next")).json();
    assert_eq!(next["waiting_for"], "person");
    assert_eq!(next["step"]["checklist"][0], "It is green");
    let done = server.post(
        &format!("/api/runs/{id}/steps/2/complete"),
        &json!({"note": "all green", "outputs": {"ticket": "T-1"}}),
    );
    assert_eq!(done.status, 200, "{}", done.text);
    let failed = server.wait_status(&id, "failed");
    assert_eq!(failed["steps"][1]["outputs"]["ticket"], "T-1");
    assert_eq!(failed["steps"][2]["exit_code"], 3);

    let retried = server.post(&format!("/api/runs/{id}/retry"), &json!({}));
    assert_eq!(retried.status, 200, "{}", retried.text);
    server.wait_run(&id, "failed again", |r| {
        r["status"] == "failed" && r["steps"][2]["attempts"] == 2
    });
    let skipped = server.post(
        &format!("/api/runs/{id}/skip"),
        &json!({"step": 3, "reason": "known flaky"}),
    );
    assert_eq!(skipped.status, 200, "{}", skipped.text);
    let run = server.wait_status(&id, "succeeded");
    assert_eq!(run["steps"][2]["status"], "skipped");
    assert_eq!(run["steps"][3]["output_tail"], "after\n");
    let again = server.post(
        &format!("/api/runs/{id}/skip"),
        &json!({"step": 3, "reason": "x"}),
    );
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(
        server
            .post(&format!("/api/runs/{id}/skip"), &json!({"step": 3}))
            .status,
        422
    );

    let other = id_of(&server.post("/api/sop/checklist/trigger", &json!({})));
    server.wait_status(&other, "waiting");
    let cancelled = server.post(
        &format!("/api/runs/{other}/cancel"),
        &json!({"reason": "not needed"}),
    );
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert_eq!(cancelled.json()["run"]["status"], "cancelled");
    assert_eq!(
        server
            .post(&format!("/api/runs/{other}/pause"), &json!({}))
            .status,
        409
    );

    let deploy = id_of(&server.post("/api/sop/deploy/trigger", &json!({})));
    server.wait_status(&deploy, "awaiting_approval");
    assert_eq!(
        server
            .post(&format!("/api/runs/{deploy}/resume"), &json!({}))
            .status,
        409
    );
    let empty = server.request("POST", &format!("/api/runs/{deploy}/cancel"), &[], b"");
    assert_eq!(
        empty.status, 200,
        "no body is an empty object: {}",
        empty.text
    );
}

#[test]
fn facts_through_the_api() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let set = server.request(
        "PUT",
        "/api/facts/PROD_DOWN",
        &[("content-type", "application/json")],
        br#"{"value": true, "ttl": "2h"}"#,
    );
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.json()["fact"]["name"], "prod_down");
    assert!(set.json()["fact"]["expires_at"].is_string());
    assert_eq!(
        server.get("/api/facts/prod_down").json()["fact"]["value"],
        true
    );
    let secret = server.request(
        "PUT",
        "/api/facts/db_password",
        &[("content-type", "application/json")],
        br#"{"value": "hunter2"}"#,
    );
    assert_eq!(secret.status, 200);
    assert!(!secret.text.contains("hunter2"), "{}", secret.text);
    let listed = server.get("/api/facts").text;
    assert!(
        listed.contains("prod_down") && !listed.contains("hunter2"),
        "{listed}"
    );
    // One secret fact's value goes to an admin (open mode is admin), not to a read token.
    assert_eq!(
        server.get("/api/facts/db_password").json()["fact"]["value"],
        "hunter2"
    );

    assert_eq!(
        server
            .request("DELETE", "/api/facts/prod_down", &[], b"")
            .status,
        200
    );
    assert_eq!(server.get("/api/facts/prod_down").status, 404);
    assert_eq!(
        server
            .request("DELETE", "/api/facts/prod_down", &[], b"")
            .status,
        404
    );
    assert_eq!(server.get("/api/facts/1x").status, 422);
    let audit = sb.run(&["audit", "--json"]).json();
    let kinds: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"fact.set") && kinds.contains(&"fact.unset"),
        "{kinds:?}"
    );
    assert!(!sb.run(&["audit", "--json"]).stdout.contains("hunter2"));
    // Made last: a token ends the open mode the requests above rely on.
    let reader = crate::serving::token(&sb, "rita", "read");
    let as_reader = |path: &str| {
        server.request(
            "GET",
            path,
            &[("authorization", &format!("Bearer {reader}"))],
            b"",
        )
    };
    let hidden = as_reader("/api/facts/db_password");
    assert_eq!(hidden.status, 200, "{}", hidden.text);
    assert_eq!(
        hidden.json()["fact"]["value"],
        "[redacted]",
        "{}",
        hidden.text
    );
}

#[test]
fn the_openapi_document_lists_exactly_the_routes_served() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let doc = server.openapi().clone();
    assert_eq!(doc["openapi"], "3.1.0");
    let methods = ["get", "post", "put", "delete", "patch"];
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{name}", "deploy")
            .replace("{id}", "zzzzzzzzzzzz")
            .replace("{n}", "1");
        for method in methods {
            let reply = server.probe(
                &method.to_uppercase(),
                &concrete,
                &[("content-type", "application/json")],
                b"{}",
            );
            if item.get(method).is_some() {
                assert_ne!(
                    reply.status, 405,
                    "{method} {path} is documented but not served"
                );
            } else {
                assert_eq!(
                    reply.status, 405,
                    "{method} {path} is served but not documented: {}",
                    reply.text
                );
            }
        }
    }
    for undocumented in ["/api", "/api/run", "/api/runs/x/y/z", "/api/sops/x/y"] {
        let reply = server.request("GET", undocumented, &[], b"");
        assert_eq!(reply.status, 404, "{undocumented}");
    }
}
