//! Events on `sop serve` through the real release binary: `POST /api/events` sent → the first
//! step of the run it starts has its process running (the event recorded, the trigger's glob
//! matched and its condition evaluated on the data, the run and the event's outcome committed,
//! the step spawned), one event at a time, beside the floor measured in the same run: a
//! loopback HTTP round trip + spawning `sh -c true` + one durable commit (SQLite WAL,
//! synchronous=FULL). `SOP_BENCH_RUNS` sets the rounds (default 200).

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use support::{build_release, ms, percentile};

const TOML: &str = "[sop]\nname = \"stamp\"\ndescription = \"bench\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"event\"\nevent = \"bench.*\"\ncondition = \"environment == 'production'\"\n";
const MD: &str = "# Stamp\n\n## Step 1: Note the time\n\n```bash\necho \"$EPOCHREALTIME\" > \"$SOP_VAR_STAMP\"\n```\n";

struct Server(Child, String);

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
    let mut child = cmd
        .current_dir(root)
        .env("SOP_DIR", root.join("sops"))
        .env(
            "SOP_DATABASE_URL",
            format!("sqlite:{}", root.join("sop.db").display()),
        )
        .env("SOP_USER", "bench")
        .env("SOP_LOG", "warn")
        .env("TMPDIR", root)
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sop serve");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server printed its address")
            .unwrap();
        if let Some(a) = line.strip_prefix("listening on http://") {
            break a.to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server(child, addr)
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn sorted(mut v: Vec<Duration>) -> Vec<Duration> {
    v.sort();
    v
}

/// The time the step wrote into `path` (bash's `$EPOCHREALTIME`), waiting for it.
fn wait_for(path: &Path) -> f64 {
    let started = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && let Ok(v) = text.trim().parse::<f64>()
        {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no stamp at {}",
            path.display()
        );
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn main() {
    let rounds = support::bench_runs(200);
    let binary = build_release();
    let tmp = tempfile::Builder::new()
        .prefix("sop-bench-events-")
        .tempdir()
        .unwrap();
    let root = tmp.path();
    let dir = root.join("sops").join("stamp");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("SOP.toml"), TOML).unwrap();
    std::fs::write(dir.join("SOP.md"), MD).unwrap();
    let server = serve(&binary, root);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();

    // The floor, in the same run.
    let health = format!("http://{}/healthz", server.1);
    let mut rtt = Vec::new();
    let mut spawn = Vec::new();
    let mut commit = Vec::new();
    let conn = rusqlite::Connection::open(root.join("floor.db")).unwrap();
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
        .unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
    for i in 0..rounds {
        let t = Instant::now();
        let mut r = agent.get(&health).call().unwrap();
        let _ = r.body_mut().read_to_string();
        rtt.push(t.elapsed());
        let t = Instant::now();
        Command::new("sh").args(["-c", "true"]).status().unwrap();
        spawn.push(t.elapsed());
        let t = Instant::now();
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; INSERT INTO t VALUES ({i}); COMMIT"
        ))
        .unwrap();
        commit.push(t.elapsed());
    }
    let (rtt, spawn, commit) = (sorted(rtt), sorted(spawn), sorted(commit));

    let url = format!("http://{}/api/events", server.1);
    let mut to_step = Vec::new();
    let mut accepted = Vec::new();
    for i in 0..rounds {
        let stamp = root.join(format!("stamp-{i}"));
        let body = serde_json::json!({
            "event": "bench.failed",
            "data": {"environment": "production", "stamp": stamp.display().to_string()},
        })
        .to_string();
        let sent = now_secs();
        let t = Instant::now();
        let mut r = agent
            .post(&url)
            .header("content-type", "application/json")
            .send(&body)
            .expect("post");
        let text = r.body_mut().read_to_string().unwrap();
        assert_eq!(r.status().as_u16(), 202, "{text}");
        assert!(text.contains("\"started\""), "{text}");
        accepted.push(t.elapsed());
        let written = wait_for(&stamp);
        to_step.push(Duration::from_secs_f64((written - sent).max(0.0)));
    }
    let (to_step, accepted) = (sorted(to_step), sorted(accepted));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "sop serve events, release build, {rounds} rounds, {cores} cores, load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let row = |name: &str, v: &[Duration], target: &str| {
        println!(
            "{name:<52} p50 {:>7.2} ms  p99 {:>7.2} ms   target: {target}",
            ms(percentile(v, 50)),
            ms(percentile(v, 99))
        )
    };
    row(
        "event sent → first step's process started",
        &to_step,
        "p99 ≤ 10 ms",
    );
    row("202 (event and runs committed)", &accepted, "-");
    row("floor: loopback round trip", &rtt, "-");
    row("floor: spawn `sh -c true`", &spawn, "-");
    row("floor: one durable commit", &commit, "-");
    println!(
        "{:<52} p50 {:>7.2} ms  p99 {:>7.2} ms",
        "floor: round trip + spawn + commit",
        ms(percentile(&rtt, 50) + percentile(&spawn, 50) + percentile(&commit, 50)),
        ms(percentile(&rtt, 99) + percentile(&spawn, 99) + percentile(&commit, 99))
    );
}
