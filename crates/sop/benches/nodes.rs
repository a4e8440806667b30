//! Several `sop serve` nodes on one PostgreSQL database, through the real release binary, side
//! by side in one run: sustained five-step runs of `true` per second with 1, 2 and 3 nodes
//! (each configuration in a fresh schema; runs started through every node's API in turn), and
//! the per-step overhead of one node on PostgreSQL and on SQLite (a 40-step run of `true`, wall
//! time per step minus spawning `sh -c true`, the floor measured in the same run).
//! `SOP_BENCH_RUNS` sets the runs per configuration (default 300); `SOP_TEST_DATABASE_URL` the
//! server (default `postgres://postgres@127.0.0.1:5432/test`).

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{build_release, ms, percentile};

const STEPS_FOR_OVERHEAD: usize = 40;

fn toml(name: &str) -> String {
    format!(
        "[sop]\nname = \"{name}\"\ndescription = \"bench\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n"
    )
}

fn steps(n: usize) -> String {
    let mut md = String::from("# Steps\n");
    for i in 1..=n {
        md.push_str(&format!("\n## Step {i}: S{i}\n```sh\ntrue\n```\n"));
    }
    md
}

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(binary: &Path, root: &Path, database: &str) -> Server {
    let mut cmd = Command::new(binary);
    for (key, _) in std::env::vars() {
        if key.starts_with("SOP_") {
            cmd.env_remove(&key);
        }
    }
    let mut child = cmd
        .current_dir(root)
        .env("SOP_DIR", root.join("sops"))
        .env("SOP_DATABASE_URL", database)
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
    Server { child, addr }
}

fn pg_server() -> String {
    std::env::var("SOP_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh schema: its URL for sop, and a client into it; dropped by [`drop_schema`].
fn schema() -> (String, String, postgres::Client) {
    let server = pg_server();
    let name = format!("bench_{:016x}", rand::random::<u64>());
    let mut client = postgres::Client::connect(&server, postgres::NoTls)
        .unwrap_or_else(|e| panic!("PostgreSQL at {server}: {e}"));
    client
        .batch_execute(&format!("CREATE SCHEMA {name}; SET search_path = {name}"))
        .unwrap();
    let sep = if server.contains('?') { '&' } else { '?' };
    (
        format!("{server}{sep}options=-csearch_path%3D{name}"),
        name,
        client,
    )
}

fn drop_schema(client: &mut postgres::Client, name: &str) {
    let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Starts `sop` on `addr`; the run's id.
fn start(agent: &ureq::Agent, addr: &str, sop: &str) -> String {
    let mut r = agent
        .post(format!("http://{addr}/api/sop/{sop}/trigger").as_str())
        .header("content-type", "application/json")
        .send("{}")
        .expect("post");
    let text = r.body_mut().read_to_string().unwrap();
    assert!(r.status().as_u16() < 300, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["run"]["id"].as_str().unwrap().to_string()
}

fn status(agent: &ureq::Agent, addr: &str, id: &str) -> String {
    let mut r = agent
        .get(format!("http://{addr}/api/runs/{id}").as_str())
        .call()
        .expect("get");
    let v: serde_json::Value =
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    v["run"]["status"].as_str().unwrap_or("").to_string()
}

/// Five-step runs per second with `nodes` nodes on a fresh schema.
fn throughput(binary: &Path, root: &Path, nodes: usize, runs: usize) -> f64 {
    let (url, name, mut client) = schema();
    let servers: Vec<Server> = (0..nodes).map(|_| serve(binary, root, &url)).collect();
    let addrs: Vec<String> = servers.iter().map(|s| s.addr.clone()).collect();
    let started = Instant::now();
    std::thread::scope(|s| {
        for (i, addr) in addrs.iter().enumerate() {
            s.spawn(move || {
                let agent = agent();
                for _ in (0..runs).filter(|n| n % nodes == i) {
                    start(&agent, addr, "five");
                }
            });
        }
    });
    loop {
        let done: i64 = client
            .query_one("SELECT count(*) FROM runs WHERE status = 'succeeded'", &[])
            .unwrap()
            .get(0);
        if done as usize >= runs {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "{done} of {runs} runs finished"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let rate = runs as f64 / started.elapsed().as_secs_f64();
    drop(servers);
    drop_schema(&mut client, &name);
    rate
}

/// Wall time per step of 40-step runs of `true` on one node of `database`, p50 over `rounds`.
fn per_step(binary: &Path, root: &Path, database: &str, rounds: usize) -> Vec<Duration> {
    let server = serve(binary, root, database);
    let agent = agent();
    let mut out = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let id = start(&agent, &server.addr, "forty");
        while status(&agent, &server.addr, &id) != "succeeded" {
            std::thread::sleep(Duration::from_millis(1));
        }
        out.push(t.elapsed() / STEPS_FOR_OVERHEAD as u32);
    }
    out.sort();
    out
}

/// Spawning `sh -c true` to its exit, sorted.
fn spawn_floor(rounds: usize) -> Vec<Duration> {
    let mut v: Vec<Duration> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            Command::new("sh").args(["-c", "true"]).status().unwrap();
            t.elapsed()
        })
        .collect();
    v.sort();
    v
}

fn main() {
    let runs = support::bench_runs(300);
    let binary = build_release();
    let dir = tempfile::Builder::new()
        .prefix("sop-bench-nodes-")
        .tempdir()
        .unwrap();
    let root = dir.path();
    for (name, md) in [("five", steps(5)), ("forty", steps(STEPS_FOR_OVERHEAD))] {
        let sop = root.join("sops").join(name);
        std::fs::create_dir_all(&sop).unwrap();
        std::fs::write(sop.join("SOP.toml"), toml(name)).unwrap();
        std::fs::write(sop.join("SOP.md"), md).unwrap();
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at start: {}", load.trim());

    let ceiling = support::spawn_ceiling().0 / 5.0;
    println!("floor: spawn ceiling on all cores = {ceiling:.0} five-step runs/s");
    let mut first = None;
    for nodes in 1..=3 {
        let rate = throughput(&binary, root, nodes, runs);
        let base = *first.get_or_insert(rate);
        println!(
            "five-step runs of `true`, {nodes} node(s) on one PostgreSQL: {rate:.0} runs/s \
             ({:.2}x one node, {:.0}% of the spawn ceiling)",
            rate / base,
            100.0 * rate / ceiling
        );
    }

    let rounds = 20;
    let spawn = spawn_floor(200);
    let (url, name, mut client) = schema();
    let pg = per_step(&binary, root, &url, rounds);
    drop_schema(&mut client, &name);
    let sqlite = format!("sqlite:{}", root.join("sop.db").display());
    let lite = per_step(&binary, root, &sqlite, rounds);
    let floor = percentile(&spawn, 50);
    for (backend, v) in [("PostgreSQL", &pg), ("SQLite", &lite)] {
        let p50 = percentile(v, 50);
        println!(
            "per step, 40-step run of `true` on one node, {backend}: p50 {:.2} ms, overhead \
             beyond the spawn p50 {:.2} ms (floor: spawning `sh -c true` p50 {:.2} ms)",
            ms(p50),
            ms(p50.saturating_sub(floor)),
            ms(floor)
        );
    }
}
