//! Cron fire lateness through the real release binary: a `* * * * * *` trigger of `sop serve`,
//! from the scheduled instant to the first step's process running (bash's `$EPOCHREALTIME`,
//! the first thing the step does). The server records the tick's run ahead of the instant and
//! starts the step's `bash` then, held until the instant, so what is measured is the release
//! and the command's first word, not bash's start-up. Beside it, its floor measured in the same
//! run, what a scheduler that starts the process at the tick cannot beat: starting
//! `bash -c 'echo $EPOCHREALTIME'` directly (the time from before the spawn to the time it
//! prints) plus one durable commit (SQLite WAL, synchronous=FULL, as the store commits), and the
//! same start of `bash` paced as the ticks are (once a second, at an instant, half-way between
//! two ticks), which a machine idle between ticks does slower than back to back.
//! `SOP_BENCH_RUNS` sets how many fires are measured (default 200; one per second).

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use support::{bench_runs, build_release, ms, percentile};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(binary: &Path, root: &Path) -> Server {
    let mut cmd = Command::new(binary);
    for (key, _) in std::env::vars() {
        if key.starts_with("SOP_") {
            cmd.env_remove(&key);
        }
    }
    let child = cmd
        .current_dir(root)
        .env("SOP_DIR", root.join("sops"))
        .env(
            "SOP_DATABASE_URL",
            format!("sqlite:{}", root.join("sop.db").display()),
        )
        .env("SOP_USER", "bench")
        .env("SOP_LOG", "warn")
        .env("SOP_TIMEZONE", "UTC")
        .env("TMPDIR", root)
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sop serve");
    Server(child)
}

fn epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Starts `bash` and returns the instant it read the clock, as the step of the benchmark does.
fn bash_clock() -> f64 {
    let out = Command::new("bash")
        .args(["-c", "echo \"$EPOCHREALTIME\""])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// The floors: `bash` started directly until it reads the clock, and one durable commit.
fn floors(root: &Path, rounds: usize) -> (Vec<Duration>, Vec<Duration>) {
    let mut spawn = Vec::new();
    for _ in 0..rounds {
        let before = epoch();
        spawn.push(Duration::from_secs_f64((bash_clock() - before).max(0.0)));
    }
    let conn = rusqlite::Connection::open(root.join("floor.db")).unwrap();
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
        .unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
    let mut commit = Vec::new();
    for i in 0..rounds {
        let t = Instant::now();
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; INSERT INTO t VALUES ({i}); COMMIT"
        ))
        .unwrap();
        commit.push(t.elapsed());
    }
    spawn.sort();
    commit.sort();
    (spawn, commit)
}

/// The same work at the same cadence with no engine: once a second, half-way between two
/// ticks, wait for the instant (sleeping, then watching the clock for its last 0.5 ms, as the
/// engine does) and start `bash` until it reads the clock. A CPU idle for a second starts `bash`
/// slower than one that just started it, so the back-to-back floor alone flatters the machine.
fn paced_floor(stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Vec<Duration>> {
    std::thread::spawn(move || {
        let mut late = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let target = epoch().floor() + 1.5;
            let sleep = target - epoch() - 0.0005;
            if sleep > 0.0 {
                std::thread::sleep(Duration::from_secs_f64(sleep));
            }
            while epoch() < target {
                std::hint::spin_loop();
            }
            late.push(Duration::from_secs_f64((bash_clock() - target).max(0.0)));
        }
        late.sort();
        late
    })
}

fn main() {
    let fires = bench_runs(200);
    let binary = build_release();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let sop = root.join("sops/tick");
    std::fs::create_dir_all(&sop).unwrap();
    let stamps = root.join("stamps");
    std::fs::write(
        sop.join("SOP.toml"),
        "[sop]\nname = \"tick\"\ndescription = \"bench\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"cron\"\nexpression = \"* * * * * *\"\n",
    )
    .unwrap();
    std::fs::write(
        sop.join("SOP.md"),
        format!(
            "# Tick\n\n## Step 1: Note the time\n\n```bash\necho \"$EPOCHREALTIME\" >> '{}'\n```\n",
            stamps.display()
        ),
    )
    .unwrap();
    let (spawn, commit) = floors(root, 200);
    let server = serve(&binary, root);
    let stop = Arc::new(AtomicBool::new(false));
    let paced = paced_floor(Arc::clone(&stop));
    // The first fire warms the server up; it is left out.
    let wanted = fires + 1;
    let started = Instant::now();
    let lines = loop {
        let text = std::fs::read_to_string(&stamps).unwrap_or_default();
        let lines: Vec<f64> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
        if lines.len() >= wanted {
            break lines;
        }
        assert!(
            started.elapsed() < Duration::from_secs(wanted as u64 * 2 + 30),
            "only {} fires in {:?}",
            lines.len(),
            started.elapsed()
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    drop(server);
    stop.store(true, Ordering::Relaxed);
    let paced = paced.join().unwrap();
    let mut late: Vec<Duration> = lines[1..wanted]
        .iter()
        .map(|stamp| Duration::from_secs_f64(stamp - stamp.floor()))
        .collect();
    late.sort();
    let floor50 = percentile(&spawn, 50) + percentile(&commit, 50);
    let floor99 = percentile(&spawn, 99) + percentile(&commit, 99);
    println!(
        "cron fire lateness, scheduled instant → first step's process running ({} fires)",
        late.len()
    );
    println!(
        "  measured: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms   target: p50 ≤ 2 ms, p99 ≤ 10 ms",
        ms(percentile(&late, 50)),
        ms(percentile(&late, 99)),
        ms(*late.last().unwrap())
    );
    println!(
        "  floor:    bash started until it reads the clock p50 {:.2} / p99 {:.2} ms + durable commit p50 {:.2} / p99 {:.2} ms = p50 {:.2} / p99 {:.2} ms",
        ms(percentile(&spawn, 50)),
        ms(percentile(&spawn, 99)),
        ms(percentile(&commit, 50)),
        ms(percentile(&commit, 99)),
        ms(floor50),
        ms(floor99)
    );
    println!(
        "  floor at the same cadence: bash started once a second at an instant, until it reads the clock ({} rounds, half-way between ticks): p50 {:.2} / p99 {:.2} ms",
        paced.len(),
        ms(percentile(&paced, 50)),
        ms(percentile(&paced, 99))
    );
}
