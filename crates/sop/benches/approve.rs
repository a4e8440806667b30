//! From `sop approve` to the next step's command starting, through the real release binary.
//! Target: 20 ms.
//!
//! Each round starts a supervised run (it stops at its gate, untimed), reads the wall clock,
//! spawns `sop approve RUN`, and takes the time the step's first command wrote (bash's
//! `$EPOCHREALTIME`, the same clock). The floor printed next to it is spawning that same bash
//! command directly. `cargo bench -p sop --bench approve` builds the release binary first;
//! `SOP_BENCH_RUNS` sets the number of rounds (default 50).

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{build_release, ms, percentile};

const TARGET: Duration = Duration::from_millis(20);

const SOP_TOML: &str = r#"[sop]
name = "bench-approve"
description = "One gate, then one step that notes when it started"
execution_mode = "supervised"

[[triggers]]
type = "manual"
"#;

const SOP_MD: &str = r#"# Approve, then go

## Step 1: Note the time

```bash
echo "$EPOCHREALTIME" > "$SOP_VAR_STAMP"
```
"#;

fn main() {
    let runs = support::bench_runs(50);
    let binary = build_release();
    let root = tempfile::Builder::new()
        .prefix("sop-bench-approve-")
        .tempdir()
        .expect("create a temp dir");
    let sop_dir = root.path().join("sops/bench-approve");
    std::fs::create_dir_all(&sop_dir).expect("create the SOP folder");
    std::fs::write(sop_dir.join("SOP.toml"), SOP_TOML).expect("write SOP.toml");
    std::fs::write(sop_dir.join("SOP.md"), SOP_MD).expect("write SOP.md");
    let stamp = root.path().join("stamp");
    let vars = serde_json::json!({ "stamp": stamp.display().to_string() }).to_string();

    let sop = |args: &[&str]| {
        let mut cmd = Command::new(&binary);
        for (key, _) in std::env::vars() {
            if key.starts_with("SOP_") {
                cmd.env_remove(&key);
            }
        }
        cmd.current_dir(root.path())
            .env("SOP_DIR", root.path().join("sops"))
            .env(
                "SOP_DATABASE_URL",
                format!("sqlite:{}", root.path().join("sop.db").display()),
            )
            .env("SOP_USER", "bench")
            .env("SOP_TIMEZONE", "UTC")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    };

    let round = |timed: bool| -> Option<Duration> {
        let started = sop(&["execute", "bench-approve", "--vars", &vars, "--json"])
            .output()
            .expect("run sop execute");
        assert_eq!(
            started.status.code(),
            Some(4),
            "the run should wait at its gate:\n{}",
            String::from_utf8_lossy(&started.stderr)
        );
        let run: serde_json::Value =
            serde_json::from_slice(&started.stdout).expect("sop execute --json prints the run");
        let id = run["id"].as_str().expect("the run has an id").to_string();
        let _ = std::fs::remove_file(&stamp);
        let before = now();
        let approved = sop(&["approve", &id]).output().expect("run sop approve");
        assert!(
            approved.status.success(),
            "sop approve failed:\n{}{}",
            String::from_utf8_lossy(&approved.stdout),
            String::from_utf8_lossy(&approved.stderr)
        );
        timed.then(|| read_stamp(&stamp).saturating_sub(before))
    };
    for _ in 0..5 {
        round(false);
    }
    let mut times: Vec<Duration> = (0..runs).filter_map(|_| round(true)).collect();

    let mut floor: Vec<Duration> = (0..runs)
        .map(|_| {
            let _ = std::fs::remove_file(&stamp);
            let before = now();
            let status = Command::new("bash")
                .args(["-c", "echo \"$EPOCHREALTIME\" > \"$1\"", "bash"])
                .arg(&stamp)
                .status()
                .expect("run bash");
            assert!(status.success());
            read_stamp(&stamp).saturating_sub(before)
        })
        .collect();

    report(
        &format!(
            "sop approve → next step's command started, {runs} rounds (release binary {}):",
            binary.display()
        ),
        &mut times,
        Some(TARGET),
    );
    report(
        "floor: spawning the same bash command directly:",
        &mut floor,
        None,
    );
}

fn report(title: &str, times: &mut [Duration], target: Option<Duration>) {
    times.sort();
    let pct = |p: usize| percentile(times, p);
    println!("{title}");
    print!(
        "  min {:.2} ms   p50 {:.2} ms   p95 {:.2} ms   max {:.2} ms",
        ms(times[0]),
        ms(pct(50)),
        ms(pct(95)),
        ms(times[times.len() - 1]),
    );
    match target {
        Some(t) => {
            println!("   (target: p50 <= {} ms)", t.as_millis());
            if pct(50) > t {
                println!("  ABOVE TARGET");
            }
        }
        None => println!(),
    }
}

/// Wall-clock time since the epoch: the clock `$EPOCHREALTIME` reads.
fn now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
}

/// The `seconds.micros` a step wrote.
fn read_stamp(path: &Path) -> Duration {
    let text = std::fs::read_to_string(path).expect("the step wrote its start time");
    let secs: f64 = text
        .trim()
        .replace(',', ".")
        .parse()
        .unwrap_or_else(|_| panic!("not a time: {text:?}"));
    Duration::from_secs_f64(secs)
}
