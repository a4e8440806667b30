//! Helpers for the run tests: the fixture sandbox, background runs, waiting on files, and
//! normalising ids, times and durations for snapshots.

use crate::support::{Output, Sandbox};
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// How long a test waits for a background step before failing (never reached when all is well).
const PATIENCE: Duration = Duration::from_secs(60);

/// A sandbox with the run fixtures and no retry backoff.
pub fn sandbox() -> Sandbox {
    let mut sb = Sandbox::with_fixture("runs");
    sb.env("SOP_RETRY_BACKOFF", "0s");
    sb.env("SOP_KILL_GRACE", "2s");
    sb
}

/// `{"dir": "<sandbox root>"}` plus `extra` fields: the fixtures write their files to `dir`.
pub fn vars(sb: &Sandbox, extra: &[(&str, &str)]) -> String {
    let mut map = serde_json::Map::new();
    map.insert("dir".into(), Value::String(sb.root().display().to_string()));
    for (k, v) in extra {
        map.insert((*k).into(), Value::String((*v).into()));
    }
    Value::Object(map).to_string()
}

/// The id of the newest run of `sop`.
pub fn last_run(sb: &Sandbox, sop: &str) -> String {
    let out = sb.run(&["status", "--sop", sop, "--json"]);
    assert_eq!(out.code, 0, "{out}");
    out.json()[0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no run of {sop}:\n{out}"))
        .to_string()
}

/// The run object of `sop status RUN --json`.
pub fn run_json(sb: &Sandbox, id: &str) -> Value {
    let out = sb.run(&["status", id, "--json"]);
    assert_eq!(out.code, 0, "{out}");
    out.json()
}

/// `sop ARGS` started in the background, with the sandbox's environment plus `env`.
pub fn spawn(sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut cmd = sb.command(args);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("start sop")
}

/// Waits for a background `sop` to end and returns what it printed.
pub fn finish(sb: &Sandbox, child: Child) -> Output {
    let out = child.wait_with_output().expect("wait for sop");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: sb.scrub(&String::from_utf8_lossy(&out.stdout)),
        stderr: sb.scrub(&String::from_utf8_lossy(&out.stderr)),
    }
}

/// Polls until `ready()` holds; panics with `what` if it never does.
pub fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < PATIENCE, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until the file exists (a step's signal that it is running).
pub fn wait_for_file(path: &Path) {
    wait_until(&format!("{}", path.display()), || path.exists());
}

/// Waits until the running step of `id` has its process group recorded, so that a crash of
/// its `sop` process leaves something for recovery to clean up.
pub fn wait_for_process_group(sb: &Sandbox, id: &str, step: usize) {
    wait_until("the step's process group to be recorded", || {
        !run_json(sb, id)["steps"][step - 1]["process_group"].is_null()
    });
}

/// The `kind`s of a run's audit entries, in order.
pub fn audit_kinds(sb: &Sandbox, id: &str) -> Vec<String> {
    let out = sb.run(&["audit", id, "--json"]);
    assert_eq!(out.code, 0, "{out}");
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

/// Replaces run ids, timestamps, durations and temp dirs with stable placeholders.
pub fn normalize(text: &str, ids: &[&str]) -> String {
    let mut out = text.to_string();
    for id in ids {
        out = out.replace(id, "[RUN]");
    }
    let rules = [
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z", "[TIME]"),
        (r"\d+\.\d{2}s\b", "[DUR]"),
        (r"\d+m\d{2}s\b", "[DUR]"),
        (r"[^\s]*/sop-run-[0-9a-f]+", "[WORKDIR]"),
        (r"definition: [0-9a-f]{12}", "definition: [HASH]"),
    ];
    for (pattern, with) in rules {
        out = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&out, with)
            .into_owned();
    }
    out
}
