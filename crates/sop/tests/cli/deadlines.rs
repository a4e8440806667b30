//! Gate deadlines on a live server: nobody touches the run, and the server's deadline timer
//! fails the gate closed at its deadline (audited), long before its 30-second look at the
//! store would; the gate records when its reminder is due.

use crate::serving::{Server, token};
use crate::support::Sandbox;
use chrono::{DateTime, Utc};
use serde_json::Value;

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn an_untouched_gate_expires_at_its_deadline_and_records_its_reminder() {
    let mut sb = Sandbox::new();
    sb.env("SOP_APPROVAL_REMINDER", "1s");
    sb.sop(
        "ship",
        r#"[sop]
name = "ship"
description = "Ship after an approval"
execution_mode = "supervised"
approvers = ["alice"]
approval_timeout = "2s"

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
    server.wait_status(&id, "awaiting_approval");
    // Nobody reads the run until the server has expired the gate on its own.
    server.wait_audit(&id, |e| e["detail"].get("deadline").is_some());
    let run = server.wait_status(&id, "expired");
    assert_eq!(run["steps"][0]["status"], "pending", "nothing ran: {run}");

    let audit = server.get(&format!("/api/runs/{id}/audit")).json();
    let entries = audit["entries"].as_array().unwrap();
    let opened = entries
        .iter()
        .find(|e| e["kind"] == "gate.opened")
        .unwrap_or_else(|| panic!("{audit}"));
    let deadline = time(&opened["detail"]["expires_at"]);
    let remind = time(&opened["detail"]["remind_at"]);
    assert_eq!(deadline - remind, chrono::TimeDelta::seconds(1));
    let expired = entries
        .iter()
        .find(|e| e["detail"].get("deadline").is_some())
        .unwrap_or_else(|| panic!("no entry records the deadline: {audit}"));
    assert_eq!(expired["actor"], "sop-server");
    let at = time(&expired["at"]);
    assert!(
        at >= deadline,
        "applied before its deadline: {at} < {deadline}"
    );
    // On time: well before the server's 30-second look at the store could have done it.
    assert!(
        at - deadline < chrono::TimeDelta::seconds(10),
        "applied {} after the deadline",
        at - deadline
    );
    let verify = server.get("/api/audit/verify").json();
    assert_eq!(verify["intact"], true);
}
