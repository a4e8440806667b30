//! The cron scheduler of a real `sop serve`: a six-field trigger observed firing, `overlap =
//! "skip"` while a slow run goes on, `overlap = "queue"` starting the waiting tick when it ends,
//! catch-up after a restart, and two servers on one database firing one run per tick. Waits poll the store with a deadline; the restart pins the second
//! server's clock (`SOP_NOW`) so the ticks it finds missed are exact.

use crate::serving::{Server, eventually};
use crate::support::Sandbox;
use serde_json::Value;
use std::collections::BTreeSet;

const QUICK_MD: &str = "## Step 1: Go\n```bash\ntrue\n```\n";

fn cron_sop(sb: &Sandbox, name: &str, extra: &str, md: &str) {
    sb.sop(
        name,
        &format!(
            "[sop]\nname = \"{name}\"\ndescription = \"d\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"cron\"\nexpression = \"*/2 * * * * *\"\n{extra}\n"
        ),
        md,
    );
}

/// The audit entries of kind `schedule.*`, oldest first.
fn schedule_entries(sb: &Sandbox) -> Vec<Value> {
    let out = sb.run(&["audit", "--json"]);
    assert_eq!(out.code, 0, "{out}");
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"].as_str().unwrap().starts_with("schedule."))
        .cloned()
        .collect()
}

fn kinds(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

fn schedule(sb: &Sandbox, name: &str) -> Value {
    let out = sb.run(&["schedule", name, "--json", "--next", "1"]);
    assert_eq!(out.code, 0, "{out}");
    out.json()["schedules"][0].clone()
}

#[test]
fn a_six_field_trigger_fires_every_two_seconds() {
    let sb = Sandbox::new();
    cron_sop(&sb, "pulse", "", QUICK_MD);
    let server = Server::start(&sb, &[]);
    eventually("a cron run that succeeded", || {
        let last = &schedule(&sb, "pulse")["last"];
        last["decision"] == "fired" && last["run_status"] == "succeeded"
    });
    let last = schedule(&sb, "pulse")["last"].clone();
    let run = server.wait_status(last["run"].as_str().unwrap(), "succeeded");
    assert_eq!(run["trigger_type"], "cron");
    assert_eq!(run["trigger_detail"]["trigger"], "*/2 * * * * * UTC");
    let tick = last["scheduled_at"].as_str().unwrap();
    assert_eq!(run["trigger_detail"]["scheduled_at"], tick);
    let seconds: u32 = tick[17..19].parse().unwrap();
    assert_eq!(seconds % 2, 0, "{tick}");
    let fired = schedule_entries(&sb);
    assert!(
        kinds(&fired).iter().all(|k| k == "schedule.fired"),
        "{fired:?}"
    );
    assert!(
        fired.iter().any(|e| e["run_id"] == last["run"]),
        "{fired:?}"
    );
}

#[test]
fn a_tick_decided_ahead_starts_its_first_step_at_the_tick_never_before() {
    let sb = Sandbox::new();
    let log = sb.root().join("started");
    cron_sop(
        &sb,
        "punctual",
        "",
        &format!(
            "## Step 1: Note the time\n```bash\necho \"$SOP_RUN_ID $EPOCHREALTIME\" >> '{}'\n```\n",
            log.display()
        ),
    );
    let server = Server::start(&sb, &[]);
    eventually("two cron runs started", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.lines().count() >= 2)
    });
    let text = std::fs::read_to_string(&log).unwrap();
    for line in text.lines().take(2) {
        let (id, at) = line.split_once(' ').unwrap();
        let started: f64 = at.parse().unwrap();
        let run = server.wait_status(id, "succeeded");
        let tick = run["trigger_detail"]["scheduled_at"].as_str().unwrap();
        let tick = chrono::DateTime::parse_from_rfc3339(tick).unwrap();
        let tick = tick.timestamp() as f64;
        assert!(
            started >= tick,
            "run {id} started at {started}, before its tick {tick}"
        );
    }
}

#[test]
fn a_tick_while_the_previous_run_goes_on_is_skipped() {
    let sb = Sandbox::new();
    let gate = sb.root().join("release");
    let slow = format!(
        "## Step 1: Wait\n```bash\nwhile [ ! -e '{}' ]; do sleep 0.05; done\n```\n",
        gate.display()
    );
    cron_sop(&sb, "slow", "", &slow);
    let _server = Server::start(&sb, &[]);
    eventually("a tick skipped for overlap", || {
        kinds(&schedule_entries(&sb)).contains(&"schedule.skipped".to_string())
    });
    let entries = schedule_entries(&sb);
    let fired: Vec<&Value> = entries
        .iter()
        .filter(|e| e["kind"] == "schedule.fired")
        .collect();
    assert_eq!(fired.len(), 1, "{entries:?}");
    let skipped = entries
        .iter()
        .find(|e| e["kind"] == "schedule.skipped")
        .unwrap();
    assert_eq!(skipped["detail"]["decision"], "skipped_overlap");
    std::fs::write(&gate, "").unwrap();
    eventually("the slow run to end and a new tick to fire", || {
        let last = &schedule(&sb, "slow")["last"];
        last["decision"] == "fired" && last["run"] != fired[0]["run_id"]
    });
}

#[test]
fn a_tick_queued_behind_the_previous_run_starts_when_it_ends() {
    let sb = Sandbox::new();
    let gate = sb.root().join("release");
    let slow = format!(
        "## Step 1: Wait\n```bash\nwhile [ ! -e '{}' ]; do sleep 0.05; done\n```\n",
        gate.display()
    );
    cron_sop(&sb, "queued", "overlap = \"queue\"", &slow);
    let server = Server::start(&sb, &[]);
    eventually("a tick queued behind the slow run", || {
        kinds(&schedule_entries(&sb)).contains(&"schedule.queued".to_string())
    });
    let entries = schedule_entries(&sb);
    let first: Vec<&Value> = entries
        .iter()
        .filter(|e| e["kind"] == "schedule.fired")
        .collect();
    assert_eq!(
        first.len(),
        1,
        "only the first tick runs while it goes on: {entries:?}"
    );
    let first_run = first[0]["run_id"].as_str().unwrap().to_string();
    let queued = entries
        .iter()
        .find(|e| e["kind"] == "schedule.queued")
        .unwrap();
    let queued_tick = queued["detail"]["scheduled_at"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(queued["detail"]["decision"], "queued", "{queued}");
    std::fs::write(&gate, "").unwrap();
    let ended = server.wait_status(&first_run, "succeeded");
    eventually("the queued tick to start its run", || {
        schedule_entries(&sb).iter().any(|e| {
            e["kind"] == "schedule.fired"
                && e["detail"]["scheduled_at"] == queued_tick.as_str()
                && e["run_id"].is_string()
        })
    });
    let second = schedule_entries(&sb)
        .into_iter()
        .find(|e| {
            e["kind"] == "schedule.fired" && e["detail"]["scheduled_at"] == queued_tick.as_str()
        })
        .unwrap();
    let second_run = second["run_id"].as_str().unwrap();
    assert_ne!(second_run, first_run);
    let run = server.wait_status(second_run, "succeeded");
    assert_eq!(run["trigger_detail"]["scheduled_at"], queued_tick.as_str());
    let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert!(
        at(&run["started_at"]) >= at(&ended["finished_at"]),
        "the queued run started before the one it waited for ended: {run} {ended}"
    );
}

/// Runs a server until `name` first fires, stops it, and starts another as if 10.5 s had
/// passed: ticks +2 … +8 after that first one passed while no server ran, +10 is on time.
/// The first tick's time and the new server.
fn restarted_after_a_pause(
    sb: &mut Sandbox,
    name: &str,
) -> (chrono::DateTime<chrono::FixedOffset>, Server) {
    let server = Server::start(sb, &[]);
    eventually("a first fire", || !schedule(sb, name)["last"].is_null());
    assert_eq!(server.terminate(), Some(0));
    let last = schedule(sb, name)["last"]["scheduled_at"]
        .as_str()
        .unwrap()
        .to_string();
    let last = chrono::DateTime::parse_from_rfc3339(&last).unwrap();
    let now = last + chrono::TimeDelta::milliseconds(10_500);
    sb.env("SOP_NOW", &now.to_rfc3339());
    (last, Server::start(sb, &[]))
}

#[test]
fn ticks_missed_while_no_server_ran_are_caught_up_after_a_restart() {
    let mut sb = Sandbox::new();
    // Overlap allowed: the caught-up run may still go on when the on-time tick starts.
    cron_sop(
        &sb,
        "catchy",
        "catch_up = \"latest\"\noverlap = \"allow\"",
        QUICK_MD,
    );
    // Ticks +2 … +8 were missed, +10 is on time.
    let (last, _server) = restarted_after_a_pause(&mut sb, "catchy");
    eventually("the caught-up and on-time runs", || {
        let k = kinds(&schedule_entries(&sb));
        k.contains(&"schedule.caught_up".into())
            && k.iter().filter(|k| *k == "schedule.fired").count() >= 2
    });
    let entries = schedule_entries(&sb);
    let at = |kind: &str| -> Vec<String> {
        entries
            .iter()
            .filter(|e| e["kind"] == kind)
            .map(|e| e["detail"]["scheduled_at"].as_str().unwrap().to_string())
            .collect()
    };
    let plus = |s: i64| {
        (last + chrono::TimeDelta::seconds(s))
            .to_utc()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let missed = entries
        .iter()
        .find(|e| e["kind"] == "schedule.missed")
        .unwrap();
    assert_eq!(missed["detail"]["missed"], 3, "{missed}");
    assert_eq!(missed["detail"]["first"], plus(2));
    assert_eq!(missed["detail"]["scheduled_at"], plus(6));
    assert_eq!(at("schedule.caught_up"), [plus(8)]);
    assert_eq!(at("schedule.fired").last().unwrap(), &plus(10));
}

#[test]
fn catch_up_all_runs_every_missed_tick_in_order_under_the_default_overlap() {
    let mut sb = Sandbox::new();
    cron_sop(&sb, "backlog", "catch_up = \"all\"", QUICK_MD);
    // Ticks +2 … +8 are caught up, +10 is on time; before, each one after the first was
    // skipped for the run the first had just started.
    let (last, _server) = restarted_after_a_pause(&mut sb, "backlog");
    let plus = |s: i64| {
        (last + chrono::TimeDelta::seconds(s))
            .to_utc()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let ran = |entries: &[Value]| -> Vec<String> {
        let mut ticks: Vec<String> = entries
            .iter()
            .filter(|e| {
                ["schedule.caught_up", "schedule.fired"].contains(&e["kind"].as_str().unwrap())
                    && e["run_id"].is_string()
            })
            .map(|e| e["detail"]["scheduled_at"].as_str().unwrap().to_string())
            .collect();
        ticks.sort();
        ticks.dedup();
        ticks
    };
    let wanted: Vec<String> = [0, 2, 4, 6, 8, 10].iter().map(|s| plus(*s)).collect();
    eventually("every missed tick and the on-time one to run", || {
        let got = ran(&schedule_entries(&sb));
        wanted.iter().all(|w| got.contains(w))
    });
    let entries = schedule_entries(&sb);
    assert!(
        !kinds(&entries).contains(&"schedule.skipped".to_string()),
        "{entries:?}"
    );
}

#[test]
fn two_servers_on_one_database_fire_each_tick_once() {
    let sb = Sandbox::new();
    cron_sop(&sb, "shared", "overlap = \"allow\"", QUICK_MD);
    let a = Server::start(&sb, &[]);
    let b = Server::start(&sb, &[]);
    eventually("three ticks fired", || {
        schedule_entries(&sb)
            .iter()
            .filter(|e| e["kind"] == "schedule.fired")
            .count()
            >= 3
    });
    drop(a);
    drop(b);
    let fired: Vec<Value> = schedule_entries(&sb)
        .into_iter()
        .filter(|e| e["kind"] == "schedule.fired")
        .collect();
    let ticks: BTreeSet<&str> = fired
        .iter()
        .map(|e| e["detail"]["scheduled_at"].as_str().unwrap())
        .collect();
    assert_eq!(ticks.len(), fired.len(), "a tick fired twice: {fired:?}");
    let runs = sb.run(&["status", "--json"]).json();
    let cron_runs = runs
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["trigger_type"] == "cron")
        .count();
    assert_eq!(cron_runs, fired.len(), "{runs}");
}
