//! Three `sop serve` nodes on one PostgreSQL database (a fresh schema per test): a thousand runs
//! started through all of them run each step exactly once; a node killed with `kill -9` has its
//! runs resumed by another within the lease's time; a cancel sent to a node that does not drive
//! the run stops its step; a cron trigger fires once per tick across the three; `sop nodes`
//! lists who drives what.

use crate::serving::{Server, agent, eventually};
use crate::support::Sandbox;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

const TOML: &str = "[sop]\nname = \"NAME\"\ndescription = \"d\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n";

/// Each step appends `RUN STEP` to `$LEDGER`; `hold` blocks (step 2) until `$RUN_MARK`-style
/// files say otherwise.
fn sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    let ledger = sb.root().join("ledger").display().to_string();
    sb.env("LEDGER", &ledger);
    let note = "printf '%s %s\\n' \"$SOP_RUN_ID\" \"$SOP_STEP\" >> \"$LEDGER\"";
    sb.sop(
        "pair",
        &TOML.replace("NAME", "pair"),
        &format!(
            "# Pair\n\n## Step 1: One\n```sh\n{note}\n```\n\n## Step 2: Two\n```sh\n{note}\n```\n"
        ),
    );
    // Step 2 blocks the first time it runs (its marker does not exist yet), and passes when
    // run again; `idempotent` says whether a recovery may run it again.
    for (name, idempotent) in [("keep", true), ("park", false)] {
        sb.sop(
            name,
            &TOML.replace("NAME", name),
            &format!(
                "# {name}\n\n## Step 1: One\n```sh\n{note}\n```\n\n## Step 2: Hold\n\n<!-- sop: idempotent = {idempotent} -->\n\n```sh\n{note}\nmark=\"$LEDGER.$SOP_RUN_ID\"\nif [ -f \"$mark\" ]; then exit 0; fi\necho $$ > \"$mark\"\nexec sleep 60\n```\n"
            ),
        );
    }
    sb
}

fn start(node: &Server, sop: &str) -> String {
    let reply = node.post(&format!("/api/sop/{sop}/trigger"), &json!({}));
    assert!(reply.status < 300, "{reply:?}");
    reply.json()["run"]["id"].as_str().unwrap().to_string()
}

/// `RUN STEP` lines of the ledger, counted.
fn ledger(sb: &Sandbox) -> BTreeMap<(String, u32), usize> {
    let text = std::fs::read_to_string(sb.root().join("ledger")).unwrap_or_default();
    let mut seen = BTreeMap::new();
    for line in text.lines() {
        let (run, step) = line.split_once(' ').unwrap_or_else(|| panic!("{line:?}"));
        *seen
            .entry((run.to_string(), step.parse().unwrap()))
            .or_insert(0) += 1;
    }
    seen
}

fn step_pid(sb: &Sandbox, run: &str) -> Option<i32> {
    let path = sb.root().join(format!("ledger.{run}"));
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Whether `pid` runs; a zombie (dead, not yet reaped by whoever inherited it) does not.
fn alive(pid: i32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(") ")
        .and_then(|(_, rest)| rest.chars().next());
    matches!(state, Some(s) if s != 'Z' && s != 'X')
}

#[test]
fn a_thousand_runs_started_on_three_nodes_run_each_step_exactly_once() {
    let _alone = crate::support::thousand_runs();
    let mut sb = sandbox();
    let mut db = sb.on_postgres().client();
    let nodes: Vec<Server> = (0..3).map(|_| Server::start(&sb, &[])).collect();
    let runs = 1000;
    let urls: Vec<String> = nodes
        .iter()
        .map(|n| n.url("/api/sop/pair/trigger"))
        .collect();
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = urls
            .iter()
            .enumerate()
            .map(|(i, url)| {
                s.spawn(move || {
                    let agent = agent();
                    (0..runs)
                        .filter(|n| n % 3 == i)
                        .map(|_| {
                            let mut reply = agent
                                .post(url.as_str())
                                .header("content-type", "application/json")
                                .send("{}")
                                .unwrap();
                            let text = reply.body_mut().read_to_string().unwrap();
                            assert!(reply.status().as_u16() < 300, "{text}");
                            let body: Value = serde_json::from_str(&text).unwrap();
                            body["run"]["id"].as_str().unwrap().to_string()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(ids.len(), runs);

    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let done: i64 = db
            .query_one("SELECT count(*) FROM runs WHERE status = 'succeeded'", &[])
            .unwrap()
            .get(0);
        if done == runs as i64 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{done} of {runs} runs succeeded; log of the first node:\n{}",
            nodes[0].log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let seen = ledger(&sb);
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "steps not run exactly once: {twice:?}");
    let expected: BTreeSet<(String, u32)> = ids
        .iter()
        .flat_map(|id| [(id.clone(), 1), (id.clone(), 2)])
        .collect();
    assert_eq!(seen.keys().cloned().collect::<BTreeSet<_>>(), expected);
    let verify = sb.run(&["audit", "verify"]);
    assert_eq!(verify.code, 0, "{verify}");
}

#[test]
fn a_node_killed_mid_step_has_its_runs_resumed_by_another_within_the_lease() {
    let mut sb = sandbox();
    let ttl = 2;
    sb.env("SOP_LEASE_TTL", &format!("{ttl}s"));
    sb.on_postgres();
    let victim = Server::start(&sb, &[]);
    let keep = start(&victim, "keep");
    let park = start(&victim, "park");
    for id in [&keep, &park] {
        eventually("step 2 to run on the first node", || {
            step_pid(&sb, id).is_some()
        });
    }
    let others: Vec<Server> = (0..2).map(|_| Server::start(&sb, &[])).collect();
    let killed = Instant::now();
    victim.kill9();

    let resumed = others[0].wait_status(&keep, "succeeded");
    let parked = others[1].wait_run(&park, "parked", |r| r["status"] == "waiting");
    let took = killed.elapsed();
    assert!(
        took < Duration::from_secs(ttl + 1) + Duration::from_millis(500),
        "resumed after {took:?}, lease {ttl}s"
    );
    assert_eq!(resumed["steps"][1]["status"], "succeeded");
    assert_ne!(parked["steps"][1]["status"], "succeeded");
    let orphan = step_pid(&sb, &park).unwrap();
    eventually("the interrupted step's process to be stopped", || {
        !alive(orphan)
    });
    let seen = ledger(&sb);
    assert_eq!(
        seen[&(keep.clone(), 1)],
        1,
        "a finished step is not run again"
    );
    assert_eq!(
        seen[&(park.clone(), 1)],
        1,
        "a finished step is not run again"
    );
    assert_eq!(seen[&(keep.clone(), 2)], 2, "the idempotent step ran again");
    assert_eq!(
        seen[&(park.clone(), 2)],
        1,
        "the other step is parked, not re-run"
    );
}

#[test]
fn a_cancel_sent_to_a_node_that_does_not_drive_the_run_stops_its_step() {
    let mut sb = sandbox();
    sb.on_postgres();
    let owner = Server::start(&sb, &[]);
    let other = Server::start(&sb, &[]);
    let id = start(&owner, "park");
    eventually("the step to run", || step_pid(&sb, &id).is_some());
    let pid = step_pid(&sb, &id).unwrap();

    let nodes = sb.run(&["nodes", "--json"]);
    assert_eq!(nodes.code, 0, "{nodes}");
    let nodes = nodes.json();
    let listed: Vec<&Value> = nodes.as_array().unwrap().iter().collect();
    assert_eq!(listed.len(), 2, "{nodes}");
    let driving = listed
        .iter()
        .find(|n| n["listen"] == owner.addr.as_str())
        .unwrap_or_else(|| panic!("{nodes}"));
    assert_eq!(driving["runs"], json!([id]));
    assert_eq!(driving["pid"], owner.pid());
    let idle = listed.iter().find(|n| n["listen"] == other.addr.as_str());
    assert_eq!(idle.unwrap()["runs"], json!([]));

    let reply = other.post(&format!("/api/runs/{id}/cancel"), &json!({}));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["run"]["status"], "cancelled");
    eventually("the owner to stop the step", || !alive(pid));
    let run = owner.wait_run(&id, "with its step's end recorded", |r| {
        r["steps"][1]["status"] != "running"
    });
    assert_eq!(run["status"], "cancelled");
}

#[test]
fn a_cron_trigger_fires_once_per_tick_across_three_nodes() {
    let mut sb = Sandbox::new();
    sb.sop(
        "tick",
        "[sop]\nname = \"tick\"\ndescription = \"d\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"cron\"\nexpression = \"* * * * * *\"\noverlap = \"allow\"\n",
        "# Tick\n\n## Step 1: Go\n```sh\ntrue\n```\n",
    );
    sb.on_postgres();
    let fired = |sb: &Sandbox| -> Vec<Value> {
        let out = sb.run(&["audit", "--json"]);
        assert_eq!(out.code, 0, "{out}");
        out.json()
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "schedule.fired")
            .cloned()
            .collect()
    };
    let nodes: Vec<Server> = (0..3).map(|_| Server::start(&sb, &[])).collect();
    // Thirty one-second ticks take thirty seconds; look a few times a second, not fifty.
    let deadline = Instant::now() + Duration::from_secs(120);
    while fired(&sb).len() < 30 {
        assert!(Instant::now() < deadline, "30 ticks did not fire in 120 s");
        std::thread::sleep(Duration::from_millis(300));
    }
    drop(nodes);
    let fired = fired(&sb);
    let ticks: BTreeSet<&str> = fired
        .iter()
        .map(|e| e["detail"]["scheduled_at"].as_str().unwrap())
        .collect();
    assert_eq!(ticks.len(), fired.len(), "a tick fired twice: {fired:?}");
    let runs = sb.run(&["status", "--json", "--limit", "1000"]).json();
    let cron_runs: BTreeSet<&str> = runs
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["trigger_type"] == "cron")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        cron_runs.len(),
        fired.len(),
        "one run per fired tick: {runs}"
    );
}
