//! The console's runs page with 100,000 runs in the store, through the real release binary:
//! the time from request to the whole HTML page (the server's share of the first paint; the
//! page is 50 rows of plain HTML with one small stylesheet and script), first page, filtered
//! by status, filtered by SOP, and a page deep in the history — each beside its floors
//! measured in the same run: a loopback HTTP round trip (`/healthz`) and the API answering the
//! same page as JSON (`/api/runs?limit=50`). `SOP_BENCH_RUNS` sets the rounds (default 100).

mod support;

use chrono::{TimeZone, Utc};
use sop_core::gate::ResolvedMode;
use sop_core::run::RunStatus;
use sop_store::{NewRun, SqliteStore, StoreExt};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{bench_runs, build_release, ms, percentile};

/// Runs in the store.
const RUNS: usize = 100_000;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// 100,000 finished runs of two SOPs, one second apart.
fn seed(db: &Path) {
    let store = SqliteStore::open(db).expect("open the bench database");
    let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let statuses = [
        RunStatus::Succeeded,
        RunStatus::Failed,
        RunStatus::Cancelled,
    ];
    for chunk in 0..RUNS / 5000 {
        store
            .transaction(|tx| {
                for i in chunk * 5000..(chunk + 1) * 5000 {
                    tx.insert_run(&NewRun {
                        sop_name: if i % 2 == 0 { "bench" } else { "other" }.into(),
                        definition_hash: "sha256:bench".into(),
                        definition_snapshot: String::new(),
                        execution_mode: ResolvedMode::Auto,
                        status: statuses[i % 3],
                        reason: None,
                        trigger_type: "manual".into(),
                        trigger_detail: serde_json::Value::Null,
                        started_by: "bench".into(),
                        variables: serde_json::json!({}),
                        created_at: t0 + chrono::Duration::seconds(i as i64),
                        workdir: None,
                        forced: false,
                        conditions_due: false,
                        steps: Vec::new(),
                    })?;
                }
                Ok(())
            })
            .expect("seed runs");
    }
}

fn serve(binary: &Path, root: &Path) -> (Server, String) {
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
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start sop serve");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("listening on http://").map(str::to_string))
        .expect("the server says where it listens");
    std::thread::spawn(move || lines.for_each(drop));
    (Server(child), addr)
}

/// p50 and p99 of `rounds` GETs of `path`, each read to its end.
fn measure(agent: &ureq::Agent, base: &str, path: &str, rounds: usize) -> (Duration, Duration) {
    let url = format!("{base}{path}");
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let mut r = agent.get(&url).call().expect("GET");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let body = r.body_mut().read_to_string().unwrap();
        times.push(started.elapsed());
        assert!(!body.is_empty());
    }
    times.sort();
    (percentile(&times, 50), percentile(&times, 99))
}

fn main() {
    let binary = build_release();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let sops = root.join("sops");
    for name in ["bench", "other"] {
        std::fs::create_dir_all(sops.join(name)).unwrap();
        std::fs::write(
            sops.join(name).join("SOP.toml"),
            format!("[sop]\nname = \"{name}\"\ndescription = \"bench\"\n\n[[triggers]]\ntype = \"manual\"\n"),
        )
        .unwrap();
        std::fs::write(
            sops.join(name).join("SOP.md"),
            "# B\n\n## Step 1: Go\n- do it\n",
        )
        .unwrap();
    }
    let seeding = Instant::now();
    seed(&root.join("sop.db"));
    println!(
        "seeded {RUNS} runs in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let (_server, addr) = serve(&binary, root);
    let base = format!("http://{addr}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let rounds = bench_runs(100);
    // Warm the page cache and the server's connections alike for every figure.
    measure(&agent, &base, "/ui/runs", 5);
    let deep = {
        let mut r = agent
            .get(format!("{base}/api/runs?limit=1000"))
            .call()
            .unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        v["runs"][999]["id"].as_str().unwrap().to_string()
    };
    let rows: [(&str, String); 6] = [
        (
            "floor: GET /healthz (loopback round trip)",
            "/healthz".into(),
        ),
        (
            "floor: GET /api/runs?limit=50 (same page as JSON)",
            "/api/runs?limit=50".into(),
        ),
        ("GET /ui/runs (first page)", "/ui/runs".into()),
        (
            "GET /ui/runs?status=failed",
            "/ui/runs?status=failed".into(),
        ),
        ("GET /ui/runs?sop=bench", "/ui/runs?sop=bench".into()),
        (
            "GET /ui/runs?before=<1000th run>",
            format!("/ui/runs?before={deep}"),
        ),
    ];
    println!("{RUNS} runs in the store, {rounds} rounds each (target: page ≤ 200 ms)");
    for (label, path) in rows {
        let (p50, p99) = measure(&agent, &base, &path, rounds);
        println!(
            "{label:<52} p50 {:>7.2} ms  p99 {:>7.2} ms",
            ms(p50),
            ms(p99)
        );
    }
}
