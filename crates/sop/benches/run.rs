//! The run engine, measured next to its floor in the same run:
//!
//! - the floor is a bare loop in this process that does what `sop execute` of the benchmark's
//!   SOP must do at the least: runs the same 40 commands, `sh -c true`, each to its exit, and
//!   makes 41 durable SQLite commits (one to start the run, one per step transition). Rounds of
//!   the floor and of `sop execute` alternate, so both see the same machine.
//! - per-step overhead: from the end of one step to the next step's process started (the engine
//!   notes both instants with `SOP_TRACE_FILE`; a process started ahead and held counts as
//!   started when it is released, its interpreter already loaded), beside the same gap in the
//!   floor's loop (one durable commit and one spawn, its interpreter still to load); targets
//!   p50 <= 0.5 ms, p99 <= 5 ms.
//! - `sop execute` of that SOP as a whole process, beside the floor's whole loop; target <= 1.25x.
//! - `sop status` with 100,000 runs in the database as a whole process; target <= 50 ms.
//!
//! `cargo bench -p sop --bench run` (the release binary). `SOP_BENCH_RUNS` sets the number of
//! timed rounds (default 30); `SOP_BENCH_BINARY` measures another build of `sop` against the
//! same floor (one without the `committing` trace mark reports the whole gap only).

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
    let binary = std::env::var_os("SOP_BENCH_BINARY")
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_sop")), PathBuf::from);
    let dir = tempfile::Builder::new()
        .prefix("sop-bench-run-")
        .tempdir()
        .expect("create a temp dir");
    let root = dir.path();
    write_sop(root);
    println!("run engine ({})", binary.display());

    let floor_store = SqliteStore::open(root.join("floor/sop.db")).expect("the floor database");
    let db = root.join("execute/sop.db");
    let trace = root.join("trace.txt");
    let execute = || {
        let mut cmd = sop(&binary, root, &db);
        cmd.args(["execute", "forty"]).env("SOP_TRACE_FILE", &trace);
        cmd
    };
    for _ in 0..3 {
        run_ok(execute());
        bare_loop(&floor_store);
    }
    let _ = std::fs::remove_file(&trace);
    let mut whole = Vec::new();
    let mut floor = Floor {
        whole: Duration::ZERO,
        gaps: Vec::new(),
        commits: Vec::new(),
        spawns: Vec::new(),
    };
    let mut floor_whole = Vec::new();
    for _ in 0..runs {
        let round = bare_loop(&floor_store);
        floor_whole.push(round.whole);
        floor.gaps.extend(round.gaps);
        floor.commits.extend(round.commits);
        floor.spawns.extend(round.spawns);
        let start = Instant::now();
        run_ok(execute());
        whole.push(start.elapsed());
    }
    let gaps = step_gaps(&trace);
    println!(
        "  per-step overhead, {STEPS}-step SOP of `true`, {} gaps: p50 {}   p99 {}   (floor: a durable commit and a spawn in the bare loop p50 {}   p99 {}; target p50 <= 0.5 ms, p99 <= 5 ms){}",
        gaps.whole.len(),
        ms(pct(&gaps.whole, 50)),
        ms(pct(&gaps.whole, 99)),
        ms(pct(&floor.gaps, 50)),
        ms(pct(&floor.gaps, 99)),
        verdict(pct(&gaps.whole, 50) <= micros(500) && pct(&gaps.whole, 99) <= millis(5))
    );
    if !gaps.commit.is_empty() {
        println!(
            "    in the one transaction that finishes a step and starts the next: p50 {}   p99 {}   (floor: one durable commit p50 {}   p99 {})",
            ms(pct(&gaps.commit, 50)),
            ms(pct(&gaps.commit, 99)),
            ms(pct(&floor.commits, 50)),
            ms(pct(&floor.commits, 99)),
        );
        println!(
            "    outside it, starting the next step's process included: p50 {}   p99 {}   (floor: spawning `sh -c true` p50 {}   p99 {})",
            ms(pct(&gaps.outside, 50)),
            ms(pct(&gaps.outside, 99)),
            ms(pct(&floor.spawns, 50)),
            ms(pct(&floor.spawns, 99)),
        );
    }
    let ratio = pct(&whole, 50).as_secs_f64() / pct(&floor_whole, 50).as_secs_f64();
    println!(
        "  sop execute, {STEPS} steps, whole process, {runs} runs: p50 {}   p99 {}   (floor: bare loop of {STEPS} x `sh -c true` to exit + {} commits p50 {}   p99 {}; ratio {ratio:.2}; target <= 1.25){}",
        ms(pct(&whole, 50)),
        ms(pct(&whole, 99)),
        STEPS + 1,
        ms(pct(&floor_whole, 50)),
        ms(pct(&floor_whole, 99)),
        verdict(ratio <= 1.25)
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

fn micros(n: u64) -> Duration {
    Duration::from_micros(n)
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

/// Per step boundary in the engine's trace.
struct Gaps {
    /// From each step's end to the next step's process started, across every traced run.
    whole: Vec<Duration>,
    /// The part of it in the one transaction that finishes one step and starts the next.
    commit: Vec<Duration>,
    /// The rest: everything the engine does outside that transaction.
    outside: Vec<Duration>,
}

fn step_gaps(trace: &Path) -> Gaps {
    let text = std::fs::read_to_string(trace).expect("the trace file");
    let mut gaps = Gaps {
        whole: Vec::new(),
        commit: Vec::new(),
        outside: Vec::new(),
    };
    let mut ended: Option<(u32, u128)> = None;
    let mut committing: Option<u128> = None;
    let mut committed: Option<u128> = None;
    // The next step's process, started and held just before the transaction: from there on
    // is the transaction.
    let mut held: Option<u128> = None;
    for line in text.lines() {
        let parts: Vec<&str> = line.split(' ').collect();
        let [what, step, ns] = parts[..] else {
            continue;
        };
        let (step, ns): (u32, u128) = (step.parse().unwrap(), ns.parse().unwrap());
        let nanos = |n: u128| Duration::from_nanos(n as u64);
        match what {
            "ended" => ended = Some((step, ns)),
            "committing" => committing = Some(ns),
            "held" => held = Some(ns),
            "committed" => committed = Some(ns),
            "spawned" => {
                if let Some((prev, at)) = ended.take()
                    && prev + 1 == step
                {
                    gaps.whole.push(nanos(ns - at));
                    let from = match (committing.take(), held.take()) {
                        (Some(c), Some(h)) if h > c => Some(h),
                        (c, _) => c,
                    };
                    if let (Some(from), Some(to)) = (from, committed.take()) {
                        gaps.commit.push(nanos(to - from));
                        gaps.outside.push(nanos(ns - at - (to - from)));
                    }
                }
            }
            _ => {}
        }
    }
    assert!(!gaps.whole.is_empty(), "the trace holds no step boundaries");
    gaps
}

/// One round of the floor.
struct Floor {
    whole: Duration,
    /// From one command's exit to the next one started, a durable commit between them.
    gaps: Vec<Duration>,
    commits: Vec<Duration>,
    /// Starting one command (until `spawn` returns, the command executing).
    spawns: Vec<Duration>,
}

/// The least `sop execute` of the benchmark's SOP must do: a durable commit to start the run,
/// then for each step its command, `sh -c true` in its own process group with its output piped,
/// run to its exit, and a durable commit of the transition.
fn bare_loop(store: &SqliteStore) -> Floor {
    let mut gaps = Vec::with_capacity(STEPS);
    let mut commits = Vec::with_capacity(STEPS + 1);
    let mut spawns = Vec::with_capacity(STEPS);
    let start = Instant::now();
    commits.push(commit(store, 0));
    let mut exited: Option<Instant> = None;
    for n in 1..=STEPS {
        let spawning = Instant::now();
        let mut child = Command::new("sh")
            .args(["-c", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("spawn sh");
        spawns.push(spawning.elapsed());
        if let Some(at) = exited {
            gaps.push(at.elapsed());
        }
        child.wait().expect("wait for sh");
        exited = Some(Instant::now());
        commits.push(commit(store, n));
    }
    Floor {
        whole: start.elapsed(),
        gaps,
        commits,
        spawns,
    }
}

/// One small durable write transaction; returns how long it took.
fn commit(store: &SqliteStore, n: usize) -> Duration {
    let fact = sop_store::Fact {
        name: format!("bench_{}", n % 10),
        value: json!(n),
        set_at: Utc::now(),
        set_by: "bench".into(),
        expires_at: None,
    };
    let start = Instant::now();
    store
        .transaction(|tx| tx.set_fact(&fact, sop_store::FactValues::Shown))
        .unwrap();
    start.elapsed()
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
                        conditions_due: false,
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
