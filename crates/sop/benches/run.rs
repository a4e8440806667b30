//! The run engine, measured next to its floors in the same run:
//!
//! - per-step overhead of a 40-step SOP of `true`: from the end of one step to the next step's
//!   process started (the engine notes both instants with `SOP_TRACE_FILE`); targets p50 ≤ 1 ms,
//!   p99 ≤ 5 ms. Floor: spawning `sh -c true` plus one durable SQLite commit.
//! - `sop execute` of that SOP as a whole process; target ≤ 100 ms.
//! - `sop status` with 100,000 runs in the database as a whole process; target ≤ 50 ms.
//!
//! `cargo bench -p sop --bench run` (the release binary). `SOP_BENCH_RUNS` sets the number of
//! timed executions (default 30).

mod support;

use chrono::{TimeDelta, Utc};
use serde_json::json;
use sop_core::run::RunStatus;
use sop_store::{NewRun, NewStep, SqliteStore, StoreExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const STEPS: usize = 40;
const RUNS_IN_DB: usize = 100_000;

fn main() {
    let runs = support::bench_runs(30);
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_sop"));
    let dir = tempfile::Builder::new()
        .prefix("sop-bench-run-")
        .tempdir()
        .expect("create a temp dir");
    let root = dir.path();
    write_sop(root);
    println!("run engine ({})", binary.display());

    let spawn = spawn_floor(200);
    let commit = commit_floor(&root.join("floor/sop.db"), 200);
    println!(
        "  floor  spawn `sh -c true`           p50 {}   p99 {}",
        ms(pct(&spawn, 50)),
        ms(pct(&spawn, 99))
    );
    println!(
        "  floor  one durable SQLite commit    p50 {}   p99 {}",
        ms(pct(&commit, 50)),
        ms(pct(&commit, 99))
    );

    let db = root.join("execute/sop.db");
    let trace = root.join("trace.txt");
    let execute = || {
        let mut cmd = sop(&binary, root, &db);
        cmd.args(["execute", "forty"]).env("SOP_TRACE_FILE", &trace);
        cmd
    };
    for _ in 0..3 {
        run_ok(execute());
    }
    let _ = std::fs::remove_file(&trace);
    let mut whole: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            run_ok(execute());
            start.elapsed()
        })
        .collect();
    whole.sort();
    let (gaps, commits) = step_gaps(&trace);
    let floor = pct(&spawn, 50) + pct(&commit, 50);
    println!(
        "  per-step overhead, {STEPS}-step SOP of `true`, {} gaps: p50 {}   p99 {}   (floor: spawn + commit = {}; target p50 <= 1 ms, p99 <= 5 ms){}",
        gaps.len(),
        ms(pct(&gaps, 50)),
        ms(pct(&gaps, 99)),
        ms(floor),
        verdict(pct(&gaps, 50) <= millis(1) && pct(&gaps, 99) <= millis(5))
    );
    println!(
        "    of which the one commit that finishes a step and starts the next: p50 {}   p99 {}",
        ms(pct(&commits, 50)),
        ms(pct(&commits, 99))
    );
    let floor_whole = (pct(&spawn, 50) + pct(&commit, 50)) * STEPS as u32;
    println!(
        "  sop execute, {STEPS} steps, whole process, {runs} runs: p50 {}   p99 {}   (floor: {STEPS} x (spawn + commit) = {}; target <= 100 ms){}",
        ms(pct(&whole, 50)),
        ms(pct(&whole, 99)),
        ms(floor_whole),
        verdict(pct(&whole, 50) <= millis(100))
    );

    let big = root.join("status/sop.db");
    seed(&big);
    let status = || {
        let mut cmd = sop(&binary, root, &big);
        cmd.arg("status");
        cmd
    };
    let version = || {
        let mut cmd = sop(&binary, root, &big);
        cmd.arg("--version");
        cmd
    };
    for _ in 0..3 {
        run_ok(status());
    }
    let mut listed: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            run_ok(status());
            start.elapsed()
        })
        .collect();
    listed.sort();
    let mut started: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            run_ok(version());
            start.elapsed()
        })
        .collect();
    started.sort();
    println!(
        "  sop status, {RUNS_IN_DB} runs in the database, whole process, {runs} runs: p50 {}   p99 {}   (floor: `sop --version` {}; target <= 50 ms){}",
        ms(pct(&listed, 50)),
        ms(pct(&listed, 99)),
        ms(pct(&started, 50)),
        verdict(pct(&listed, 50) <= millis(50))
    );
}

fn millis(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The `p`th percentile of sorted `times`.
fn pct(times: &[Duration], p: usize) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[((sorted.len() * p).div_ceil(100)).clamp(1, sorted.len()) - 1]
}

fn verdict(ok: bool) -> &'static str {
    if ok { "" } else { "   ABOVE TARGET" }
}

/// `sop` in the bench's sandbox, against database `db`.
fn sop(binary: &Path, root: &Path, db: &Path) -> Command {
    let mut cmd = Command::new(binary);
    for (key, _) in std::env::vars() {
        if key.starts_with("SOP_") {
            cmd.env_remove(&key);
        }
    }
    cmd.current_dir(root)
        .env("SOP_DIR", root.join("sops"))
        .env("SOP_DATABASE_URL", format!("sqlite:{}", db.display()))
        .env("SOP_USER", "bench")
        .env("SOP_TIMEZONE", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn run_ok(mut cmd: Command) {
    let out = cmd.output().expect("run sop");
    assert!(
        out.status.success(),
        "sop failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An SOP of forty steps, each `true`.
fn write_sop(root: &Path) {
    let dir = root.join("sops/forty");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("SOP.toml"),
        "[sop]\nname = \"forty\"\ndescription = \"Forty steps of true\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
    )
    .unwrap();
    let mut md = String::from("# Forty\n");
    for n in 1..=STEPS {
        md.push_str(&format!("\n## Step {n}: Step {n}\n\n```sh\ntrue\n```\n"));
    }
    std::fs::write(dir.join("SOP.md"), md).unwrap();
}

/// From each step's end to the next step's process started, across every traced run; and the
/// part of it spent committing (finishing one step and starting the next, one transaction).
fn step_gaps(trace: &Path) -> (Vec<Duration>, Vec<Duration>) {
    let text = std::fs::read_to_string(trace).expect("the trace file");
    let mut gaps = Vec::new();
    let mut commits = Vec::new();
    let mut ended: Option<(u32, u128)> = None;
    let mut committed: Option<u128> = None;
    for line in text.lines() {
        let parts: Vec<&str> = line.split(' ').collect();
        let [what, step, ns] = parts[..] else {
            continue;
        };
        let (step, ns): (u32, u128) = (step.parse().unwrap(), ns.parse().unwrap());
        match what {
            "ended" => ended = Some((step, ns)),
            "committed" => committed = Some(ns),
            "spawned" => {
                if let Some((prev, at)) = ended.take()
                    && prev + 1 == step
                {
                    gaps.push(Duration::from_nanos((ns - at) as u64));
                    if let Some(c) = committed.take() {
                        commits.push(Duration::from_nanos((c - at) as u64));
                    }
                }
            }
            _ => {}
        }
    }
    assert!(!gaps.is_empty(), "the trace holds no step boundaries");
    (gaps, commits)
}

/// How long spawning `sh -c true` takes (until the process is started).
fn spawn_floor(n: usize) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let start = Instant::now();
            let mut child = Command::new("sh")
                .args(["-c", "true"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .process_group(0)
                .spawn()
                .expect("spawn sh");
            let took = start.elapsed();
            child.wait().unwrap();
            took
        })
        .collect()
}

/// How long one small durable write transaction takes.
fn commit_floor(db: &Path, n: usize) -> Vec<Duration> {
    let store = SqliteStore::open(db).expect("open the floor database");
    (0..n)
        .map(|i| {
            let fact = sop_store::Fact {
                name: format!("bench_{}", i % 10),
                value: json!(i),
                set_at: Utc::now(),
                set_by: "bench".into(),
                expires_at: None,
            };
            let start = Instant::now();
            store
                .transaction(|tx| tx.set_fact(&fact, sop_store::FactValues::Shown))
                .unwrap();
            start.elapsed()
        })
        .collect()
}

/// 100,000 finished runs of a three-step SOP.
fn seed(db: &Path) {
    let store = SqliteStore::open(db).expect("open the status database");
    let start = Utc::now() - TimeDelta::days(30);
    for chunk in 0..(RUNS_IN_DB / 10_000) {
        store
            .transaction(|tx| {
                for i in 0..10_000 {
                    let n = chunk * 10_000 + i;
                    tx.insert_run(&NewRun {
                        sop_name: format!("sop-{}", n % 50),
                        definition_hash: "0".repeat(64),
                        definition_snapshot: "{}".into(),
                        execution_mode: sop_core::gate::ResolvedMode::Auto,
                        status: if n % 7 == 0 {
                            RunStatus::Failed
                        } else {
                            RunStatus::Succeeded
                        },
                        reason: None,
                        trigger_type: "manual".into(),
                        trigger_detail: serde_json::Value::Null,
                        started_by: "bench".into(),
                        variables: json!({"n": n}),
                        created_at: start + TimeDelta::seconds(n as i64 * 20),
                        workdir: None,
                        forced: false,
                        steps: (1..=3)
                            .map(|s| NewStep {
                                number: s,
                                title: format!("Step {s}"),
                            })
                            .collect(),
                    })?;
                }
                Ok(())
            })
            .expect("seed runs");
    }
}
