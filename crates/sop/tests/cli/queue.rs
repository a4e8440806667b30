//! `on_limit = "queue"`: a start beyond `concurrency` is recorded `queued`, moves up when a run
//! of the SOP ends, and starts with its conditions checked again — from the CLI without a
//! server, and on a live server that starts the next run by itself when a place frees.

use crate::run_support::{last_run, run_json, wait_until};
use crate::serving::{Server, token};
use crate::support::Sandbox;
use serde_json::{Value, json};

/// Entries of a run's audit trail, from `sop audit ID --json`.
fn audit(sb: &Sandbox, id: &str) -> Vec<Value> {
    let out = sb.run(&["audit", id, "--json"]);
    assert_eq!(out.code, 0, "{out}");
    out.json().as_array().unwrap().clone()
}

fn kinds(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_start_beyond_the_limit_is_queued_moves_up_and_starts_on_resume() {
    let sb = Sandbox::new();
    sb.sop(
        "line",
        "[sop]\nname = \"line\"\ndescription = \"One at a time\"\nexecution_mode = \"auto\"\nconcurrency = 1\non_limit = \"queue\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Line\n\n## Step 1: Confirm\n\nConfirm by hand.\n",
    );
    assert_eq!(sb.run(&["execute", "line"]).code, 4);
    let first = last_run(&sb, "line");

    let out = sb.run(&["execute", "line"]);
    assert_eq!(out.code, 4, "a queued run waits: {out}");
    let second = last_run(&sb, "line");
    assert!(
        out.stdout
            .contains(&format!("place 1 in the queue, behind {first}")),
        "{out}"
    );
    assert!(
        out.stdout.contains(&format!("run {second} is queued")),
        "{out}"
    );
    assert_eq!(run_json(&sb, &second)["status"], "queued");

    let out = sb.run(&["execute", "line", "--json"]);
    assert_eq!(out.code, 4, "{out}");
    let third = out.json();
    assert_eq!(third["status"], "queued");
    let third = third["id"].as_str().unwrap().to_string();
    let queued = &audit(&sb, &third)
        .into_iter()
        .find(|e| e["kind"] == "run.queued")
        .expect("run.queued entry");
    assert_eq!(queued["detail"]["place"], 2);
    assert_eq!(queued["detail"]["behind"], json!([first]));

    // Waiting in the queue is not a state to resume from; a queued run can be taken out.
    let resumed = sb.run(&["resume", &second]);
    assert_ne!(resumed.code, 0, "{resumed}");
    assert!(resumed.stderr.contains("waits in the queue"), "{resumed}");
    sb.run(&["cancel", &third]);
    assert_eq!(run_json(&sb, &third)["status"], "cancelled");

    // The first run ends: in that same commit the second moves up, left for whoever starts
    // pending runs (no server here).
    let done = sb.run(&["done", &first]);
    assert_eq!(done.code, 0, "{done}");
    assert!(
        done.stdout.contains(&format!(
            "↑ run {second} of line moved up from the queue and is pending"
        )),
        "the person who freed the place is told: {done}"
    );
    assert_eq!(run_json(&sb, &second)["status"], "pending");
    let trail = audit(&sb, &second);
    let dequeued = trail
        .iter()
        .find(|e| e["kind"] == "run.dequeued")
        .unwrap_or_else(|| panic!("{trail:?}"));
    assert_eq!(dequeued["detail"]["after"], json!(first));

    let out = sb.run(&["resume", &second]);
    assert_eq!(out.code, 4, "its manual step waits: {out}");
    assert_eq!(run_json(&sb, &second)["status"], "waiting");
    let trail = audit(&sb, &second);
    let k = kinds(&trail);
    let at = |kind: &str| k.iter().rposition(|x| x == kind).unwrap();
    assert!(at("run.conditions") > at("run.dequeued"), "{k:?}");
    assert!(at("run.started") > at("run.conditions"), "{k:?}");
    let rechecked = &trail[at("run.conditions")];
    assert_eq!(rechecked["detail"]["rechecked"], "dequeued");
    assert_eq!(rechecked["detail"]["met"], true);
}

#[test]
fn a_server_starts_the_queued_run_when_a_place_frees_and_skips_it_when_its_conditions_changed() {
    let sb = Sandbox::new();
    let release = sb.root().join("release");
    sb.sop(
        "one-by-one",
        "[sop]\nname = \"one-by-one\"\ndescription = \"Waits for a file\"\nexecution_mode = \"auto\"\nconcurrency = 1\non_limit = \"queue\"\n\n[[triggers]]\ntype = \"manual\"\n\n[conditions]\nexpression = \"open == true\"\n",
        &format!(
            "# One by one\n\n## Step 1: Wait for the release\n\n```sh\nwhile [ ! -f '{}' ]; do sleep 0.02; done\n```\n",
            release.display()
        ),
    );
    assert_eq!(sb.run(&["fact", "set", "open", "true"]).code, 0);
    let runner = token(&sb, "carol", "read,run");
    let server = Server::start(&sb, &[]).with_token(&runner);
    let start = || {
        let reply = server.post("/api/sop/one-by-one/trigger", &json!({}));
        assert!(reply.status < 300, "{}", reply.text);
        reply.json()["run"].clone()
    };

    let first = start();
    let first_id = first["id"].as_str().unwrap().to_string();
    server.wait_status(&first_id, "running");
    let second = start();
    assert_eq!(second["status"], "queued", "{second}");
    let second_id = second["id"].as_str().unwrap().to_string();
    // Nothing frees a place while the first run's step waits.
    assert_eq!(server.wait_status(&second_id, "queued")["status"], "queued");

    std::fs::write(&release, "go").unwrap();
    let done = server.wait_status(&first_id, "succeeded");
    let next = server.wait_status(&second_id, "succeeded");
    assert!(
        next["started_at"].as_str().unwrap() >= done["finished_at"].as_str().unwrap(),
        "the queued run started before the place freed: {next} {done}"
    );
    let trail = audit(&sb, &second_id);
    let k = kinds(&trail);
    for kind in ["run.queued", "run.dequeued", "run.started"] {
        assert!(k.contains(&kind.to_string()), "{kind} missing: {k:?}");
    }
    let started = trail.iter().find(|e| e["kind"] == "run.started").unwrap();
    assert_eq!(started["actor"], "sop-server");

    // Again, but the conditions stop holding while the second run waits: when its place comes
    // it is skipped, with the conditions it was skipped on recorded.
    std::fs::remove_file(&release).unwrap();
    let third = start();
    let third_id = third["id"].as_str().unwrap().to_string();
    server.wait_status(&third_id, "running");
    let fourth = start();
    assert_eq!(fourth["status"], "queued", "{fourth}");
    let fourth_id = fourth["id"].as_str().unwrap().to_string();
    assert_eq!(sb.run(&["fact", "set", "open", "false"]).code, 0);
    std::fs::write(&release, "go").unwrap();
    server.wait_status(&third_id, "succeeded");
    let skipped = server.wait_status(&fourth_id, "skipped");
    assert_eq!(skipped["steps"][0]["status"], "skipped", "{skipped}");
    let trail = audit(&sb, &fourth_id);
    let rechecked = trail
        .iter()
        .rfind(|e| e["kind"] == "run.conditions")
        .unwrap();
    assert_eq!(rechecked["detail"]["rechecked"], "dequeued");
    assert_eq!(rechecked["detail"]["met"], false);
    wait_until("the audit trail to verify", || {
        sb.run(&["audit", "verify"]).code == 0
    });
}
