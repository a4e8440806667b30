//! `sop serve` through the real release binary, each figure beside its floor measured in the
//! same run: webhook received → first step's process started, as the step's `sh` runs its first
//! command (floor: a loopback HTTP round trip + spawning `sh -c true` + one durable commit; the
//! same with a `bash` step is shown beside it), the `202` at idle, sustained five-step
//! runs of `true` per second (against the spawn ceiling: the most `sh -c true` processes per
//! second this machine starts on all cores with no engine, the best of three thread counts;
//! and beside it the same runs done by a bare loop with their durable commits,
//! `serve/bare_runs.rs`; the CPU a run costs the server and its step processes, beside what it
//! costs the bare loop and its shells), idle RSS, and start to listening.
//! `SOP_BENCH_RUNS` sets the rounds of the latency figures (default 200), `SOP_BENCH_SUSTAINED`
//! the runs of the sustained figure (default 1,000) and `SOP_BENCH_CLIENTS` the clients posting
//! them (default 8); `SOP_BENCH_BINARY` measures another build of `sop`.

#[path = "serve/bare_runs.rs"]
mod bare_runs;
mod support;

use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use support::{build_release, ms, percentile, spawn_ceiling};

const ONE_STEP: &str = "# Stamp\n\n## Step 1: Note the time\n\n```bash\necho \"$EPOCHREALTIME\" > \"$SOP_VAR_STAMP\"\n```\n";

/// A step in `sh`, the interpreter of the floor's spawn: its first command opens the FIFO the
/// benchmark waits on and closes it at once, so the instant it runs is when the benchmark's
/// `poll` on the other end returns.
const SIGNAL_STEP: &str =
    "# Signal\n\n## Step 1: Open the FIFO\n\n```sh\n: > \"$SOP_VAR_FIFO\"\n```\n";

fn toml(name: &str) -> String {
    format!(
        "[sop]\nname = \"{name}\"\ndescription = \"bench\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/{name}\"\n"
    )
}

struct Server {
    child: Child,
    addr: String,
    started_in: Duration,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(binary: &Path, root: &Path, workers: &str) -> Server {
    let mut cmd = Command::new(binary);
    for (key, _) in std::env::vars() {
        if key.starts_with("SOP_") {
            cmd.env_remove(&key);
        }
    }
    let started = Instant::now();
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
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--workers",
            workers,
        ])
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
    let started_in = started.elapsed();
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        addr,
        started_in,
    }
}

fn new_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn post(agent: &ureq::Agent, url: &str, body: &str) -> u16 {
    post_for(agent, url, body).0
}

/// The status and the body of a POST.
fn post_for(agent: &ureq::Agent, url: &str, body: &str) -> (u16, String) {
    let mut r = agent
        .post(url)
        .header("content-type", "application/json")
        .send(body)
        .expect("post");
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (r.status().as_u16(), text)
}

/// Waits until run `id` has finished, so that the next round finds the server idle.
fn wait_finished(agent: &ureq::Agent, addr: &str, id: &str) {
    poll(agent, &format!("http://{addr}/api/runs/{id}"), |body| {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        matches!(
            v["run"]["status"].as_str(),
            Some("succeeded" | "failed" | "cancelled" | "skipped")
        )
    });
}

/// Waits until no worker of the server drives a run: the one that drove the last run has
/// finished with it (its directories handed back, the next pending run looked for).
fn wait_idle(agent: &ureq::Agent, addr: &str) {
    poll(agent, &format!("http://{addr}/metrics"), |body| {
        body.lines().any(|l| l == "sop_workers_busy 0")
    });
}

/// GETs `url` every half millisecond until `done` says its body is what was waited for; fails
/// after 30 seconds with the last body.
fn poll(agent: &ureq::Agent, url: &str, done: impl Fn(&str) -> bool) {
    let started = Instant::now();
    loop {
        let mut r = agent.get(url).call().unwrap();
        let body = r.body_mut().read_to_string().unwrap();
        if done(&body) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{url} did not come to what was waited for: {body}"
        );
        std::thread::sleep(Duration::from_micros(500));
    }
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

fn show(name: &str, v: &[Duration], floor: &str, target: &str) {
    println!(
        "{name:<48} p50 {:>7.2} ms  p99 {:>7.2} ms   floor: {floor}   target: {target}",
        ms(percentile(v, 50)),
        ms(percentile(v, 99))
    );
}

/// The floors: a loopback round trip (`GET /healthz`), spawning `sh -c true`, one durable
/// commit (SQLite WAL, synchronous=FULL, as the store commits).
fn floors(agent: &ureq::Agent, server: &Server, root: &Path, rounds: usize) -> [Vec<Duration>; 3] {
    let url = format!("http://{}/healthz", server.addr);
    let mut rtt = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let mut r = agent.get(&url).call().unwrap();
        let _ = r.body_mut().read_to_string();
        rtt.push(t.elapsed());
    }
    let mut spawn = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        Command::new("sh").args(["-c", "true"]).status().unwrap();
        spawn.push(t.elapsed());
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
    [sorted(rtt), sorted(spawn), sorted(commit)]
}

/// CPU seconds a process used itself and (reaped) its children used, from `/proc`.
fn cpu_secs(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<f64> = stat
        .rsplit_once(')')
        .map(|(_, rest)| {
            rest.split_whitespace()
                .map(|f| f.parse().unwrap_or(0.0))
                .collect()
        })
        .unwrap_or_default();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let at = |i: usize| fields.get(i).copied().unwrap_or(0.0) / hz;
    // utime, stime, cutime, cstime: fields 14-17 of stat, 11-14 after the name.
    (at(11) + at(12), at(13) + at(14))
}

/// CPU seconds this process's reaped children used.
fn children_cpu_secs() -> f64 {
    rusage_secs(libc::RUSAGE_CHILDREN)
}

/// CPU seconds this process used, all its threads.
fn own_cpu_secs() -> f64 {
    rusage_secs(libc::RUSAGE_SELF)
}

/// User and system CPU seconds of `who`, as `getrusage` counts them.
fn rusage_secs(who: libc::c_int) -> f64 {
    // SAFETY: getrusage only writes the struct given.
    let mut r: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut r) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(r.ru_utime) + secs(r.ru_stime)
}

/// The CPU one `sh -c true` costs its own process, in seconds, run one at a time with nothing
/// else to do (what starting and reaping it costs the parent is left out): the floor of what a
/// step's process costs.
fn shell_cpu() -> f64 {
    let before = children_cpu_secs();
    let n = 400;
    for _ in 0..n {
        Command::new("sh").args(["-c", "true"]).status().unwrap();
    }
    (children_cpu_secs() - before) / n as f64
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let rounds = support::bench_runs(200);
    // `SOP_BENCH_BINARY` measures another build of `sop` against the same floors.
    let binary = std::env::var_os("SOP_BENCH_BINARY").map_or_else(build_release, PathBuf::from);
    let root = tempfile::Builder::new()
        .prefix("sop-bench-serve-")
        .tempdir()
        .unwrap();
    let root = root.path().to_path_buf();
    for (name, md) in [
        ("stamp", ONE_STEP.to_string()),
        ("signal", SIGNAL_STEP.to_string()),
        (
            "five",
            format!(
                "# Five\n\n{}",
                (1..=5)
                    .map(|n| format!("## Step {n}: T\n\n```sh\ntrue\n```\n\n"))
                    .collect::<String>()
            ),
        ),
    ] {
        let dir = root.join("sops").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("SOP.toml"), toml(name)).unwrap();
        std::fs::write(dir.join("SOP.md"), md).unwrap();
    }

    let mut starts = Vec::new();
    for _ in 0..10 {
        let _ = std::fs::remove_file(root.join("sop.db"));
        starts.push(serve(&binary, &root, "32").started_in);
    }
    let version = {
        let mut v = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            Command::new(&binary).arg("--version").output().unwrap();
            v.push(t.elapsed());
        }
        sorted(v)
    };
    let starts = sorted(starts);

    let server = serve(&binary, &root, "32");
    let agent = new_agent();
    let [rtt, spawn, commit] = floors(&agent, &server, &root, rounds);
    let floor_sum = percentile(&rtt, 50) + percentile(&spawn, 50) + percentile(&commit, 50);

    // Webhook received → first step's process started, and the 202, one request at a time;
    // each round waits (untimed) for the previous run to finish and for the thread that drove
    // it to let go of it (`sop_workers_busy 0`), so the server is idle. The
    // step is in `sh`, the floor's interpreter; the same in `bash`, which loads longer before
    // it runs a command, is shown beside it.
    let signal_url = format!("http://{}/signal", server.addr);
    let url = format!("http://{}/stamp", server.addr);
    let mut to_step = Vec::new();
    let mut to_bash = Vec::new();
    let mut accepted = Vec::new();
    for i in 0..rounds {
        let fifo = root.join(format!("fifo-{i}"));
        assert!(
            Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        // Opened for reading without waiting for a writer, before the clock starts: `poll`
        // then wakes when the step's `sh` closes the end it opened (POLLHUP), right after
        // opening it. (A thread blocked in `open` used to be started here, and its start-up
        // took CPU from the request being timed.)
        let reader = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .unwrap();
        let body = serde_json::json!({"fifo": fifo.display().to_string()}).to_string();
        let t = Instant::now();
        let (status, answer) = post_for(&agent, &signal_url, &body);
        accepted.push(t.elapsed());
        assert_eq!(status, 202, "{answer}");
        wait_closed(&reader);
        to_step.push(t.elapsed());
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        wait_finished(&agent, &server.addr, answer["run"]["id"].as_str().unwrap());
        wait_idle(&agent, &server.addr);

        let stamp = root.join(format!("stamp-{i}"));
        let body = serde_json::json!({"stamp": stamp.display().to_string()}).to_string();
        let sent = now_secs();
        let t = Instant::now();
        let (status, answer) = post_for(&agent, &url, &body);
        accepted.push(t.elapsed());
        assert_eq!(status, 202, "{answer}");
        let written = wait_for(&stamp);
        to_bash.push(Duration::from_secs_f64((written - sent).max(0.0)));
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        wait_finished(&agent, &server.addr, answer["run"]["id"].as_str().unwrap());
        wait_idle(&agent, &server.addr);
    }
    let idle_rss = rss_kib(server.child.id());

    // Sustained five-step runs: 8 clients (`SOP_BENCH_CLIENTS`) post as fast as the server
    // answers, long enough (1,000 runs by default, `SOP_BENCH_SUSTAINED`) for the start and the
    // drain at the end to weigh little, until the server counts them all succeeded. More
    // clients do not raise the figure: the server's CPU, not the senders, is what limits it.
    let total = support::env_count("SOP_BENCH_SUSTAINED", 1000);
    let five = format!("http://{}/five", server.addr);
    let n_clients = match support::env_count("SOP_BENCH_CLIENTS", 8) {
        0 => 8,
        n => n,
    };
    // Each client posts the same number of runs; what does not divide evenly is not sent.
    let per_client = total / n_clients;
    let runs_sent = per_client * n_clients;
    let cpu_before = cpu_secs(server.child.id());
    let t = Instant::now();
    let clients: Vec<_> = (0..n_clients)
        .map(|_| {
            let five = five.clone();
            std::thread::spawn(move || {
                let agent = new_agent();
                for _ in 0..per_client {
                    assert_eq!(post(&agent, &five, "{}"), 202);
                }
            })
        })
        .collect();
    clients.into_iter().for_each(|c| c.join().unwrap());
    // `/metrics` counts runs by status in one small answer: polling it costs the server
    // little, where listing a thousand runs would load it while it is measured.
    let metrics = format!("http://{}/metrics", server.addr);
    loop {
        let mut r = agent.get(&metrics).call().unwrap();
        let text = r.body_mut().read_to_string().unwrap();
        let succeeded = text
            .lines()
            .find_map(|l| l.strip_prefix("sop_runs{sop=\"five\",status=\"succeeded\"} "))
            .and_then(|n| n.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if succeeded >= runs_sent {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let per_sec = runs_sent as f64 / t.elapsed().as_secs_f64();
    let cpu_after = cpu_secs(server.child.id());
    let per_run = |after: f64, before: f64| (after - before) / runs_sent as f64 * 1e3;
    let server_cpu = per_run(cpu_after.0, cpu_before.0);
    let steps_cpu = per_run(cpu_after.1, cpu_before.1);
    let (ceiling, ceiling_threads) = spawn_ceiling();
    let sh_cpu = shell_cpu() * 1e3;
    let (loop_before, shells_before) = (own_cpu_secs(), children_cpu_secs());
    let (bare, bare_ran) = bare_runs::runs_per_sec(&root, n_clients, runs_sent);
    let bare_loop_cpu = (own_cpu_secs() - loop_before) / bare_ran as f64 * 1e3;
    let bare_sh_cpu = (children_cpu_secs() - shells_before) / bare_ran as f64 * 1e3;

    println!("sop serve, release build, {rounds} rounds");
    show(
        "webhook received → first step's `sh` started",
        &sorted(to_step),
        &format!(
            "{:.2} ms (round trip {:.2} + spawn {:.2} + commit {:.2}, p50s)",
            ms(floor_sum),
            ms(percentile(&rtt, 50)),
            ms(percentile(&spawn, 50)),
            ms(percentile(&commit, 50))
        ),
        "p50 ≤ 2 ms, p99 ≤ 10 ms",
    );
    show(
        "— the same, a `bash` step reading $EPOCHREALTIME",
        &sorted(to_bash),
        "(bash loads longer than the floor's sh)",
        "none",
    );
    show(
        "202 (run durably committed) at idle",
        &sorted(accepted),
        &format!(
            "round trip p99 {:.2} ms + commit p99 {:.2} ms",
            ms(percentile(&rtt, 99)),
            ms(percentile(&commit, 99))
        ),
        "p99 ≤ 2 ms",
    );
    println!(
        "{:<48} {per_sec:>7.1} runs/s = {:.0}% of the spawn ceiling {ceiling:.0} sh -c true/s ({ceiling_threads} spawning threads; 5 spawns per run: {:.0} runs/s)   target: ≥ 60%",
        "sustained five-step runs of `true`",
        per_sec * 5.0 / ceiling * 100.0,
        ceiling / 5.0
    );
    println!(
        "{:<48} {bare:>7.1} runs/s = {:.0}% of the spawn ceiling   (the same runs with no engine: per run 6 durable commits + 5 × `sh -c true` to exit, {n_clients} threads)",
        "— floor: a bare loop of the same runs",
        bare * 5.0 / ceiling * 100.0,
    );
    println!(
        "{:<48} server {server_cpu:.2} ms + its step processes {steps_cpu:.2} ms   floor: 5 × `sh -c true` {:.2} ms one at a time; the bare loop {bare_loop_cpu:.2} ms + its shells {bare_sh_cpu:.2} ms",
        "— CPU per sustained run",
        5.0 * sh_cpu,
    );
    println!(
        "{:<48} {:>7.1} MiB   target: ≤ 20 MB",
        "idle server RSS (after the latency rounds)",
        idle_rss as f64 / 1024.0
    );
    show(
        "start to listening",
        &starts,
        &format!("`sop --version` p50 {:.2} ms", ms(percentile(&version, 50))),
        "≤ 100 ms",
    );
    drop(server);
    let _: PathBuf = root;
}

/// Returns once the FIFO's other end was opened and closed again (or data came).
fn wait_closed(reader: &std::fs::File) {
    let mut pfd = libc::pollfd {
        fd: reader.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    loop {
        // SAFETY: one valid pollfd, owned by this frame, for the duration of the call.
        let n = unsafe { libc::poll(&mut pfd, 1, 30_000) };
        assert!(n != 0, "the step never opened the FIFO");
        if n > 0 {
            return;
        }
        assert_eq!(
            std::io::Error::last_os_error().kind(),
            std::io::ErrorKind::Interrupted
        );
    }
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
