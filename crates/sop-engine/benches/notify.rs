//! What a notifier that is down costs a run, next to its floor, measured in the same run: a
//! five-step SOP (`true` each step, `notify_on = ["succeeded", "failed"]`) driven by
//! `Service::start_run` + `drive`, with
//!
//! - floor: notifications off;
//! - refused: a webhook channel on a port nobody listens on, the sender thread running and
//!   retrying every 10 ms (the worst case: it never rests);
//! - hanging: a webhook receiver that accepts connections and never answers, the sender thread
//!   blocked in it up to its 10 s timeout.
//!
//! Runs of the three are interleaved so each sees the same machine. The figure to compare with
//! the 5 ms target is the per-step difference to the floor.
//!
//! `cargo bench -p sop-engine --bench notify`; `SOP_BENCH_RUNS` sets the runs per case
//! (default 150).

#[path = "../../sop/benches/support/mod.rs"]
mod support;

use serde_json::Map;
use sop_engine::notify::Worker;
use sop_engine::ops::StartRequest;
use sop_engine::{Caller, Clock, NoEvents, Service, Settings};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::ms;

const STEPS: u32 = 5;

fn main() {
    let runs = support::bench_runs(150);
    let dir = tempfile::tempdir().expect("a temp dir");
    write_sop(&dir.path().join("sops"));

    let refused_port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("a port");
        l.local_addr().expect("an address")
    };
    let hanging = TcpListener::bind("127.0.0.1:0").expect("a port");
    let hanging_addr = hanging.local_addr().expect("an address");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in hanging.incoming().flatten() {
            held.push(s);
        }
    });

    let floor = service(
        dir.path(),
        "floor",
        &[("SOP_NOTIFICATION_ENABLED", "false")],
    );
    let refused = service(
        dir.path(),
        "refused",
        &[(
            "SOP_APPROVAL_CHANNEL",
            &format!("webhook:http://{refused_port}/in"),
        )],
    );
    let hang = service(
        dir.path(),
        "hanging",
        &[(
            "SOP_APPROVAL_CHANNEL",
            &format!("webhook:http://{hanging_addr}/in"),
        )],
    );
    let workers: Vec<Worker> = [&refused, &hang]
        .iter()
        .map(|s| {
            Worker::spawn(
                s.notify_sender().expect("notification settings"),
                Duration::from_millis(10),
                |_| {},
            )
            .expect("a sender thread")
        })
        .collect();

    for _ in 0..10 {
        run(&floor);
        run(&refused);
        run(&hang);
    }
    let (mut f, mut r, mut h) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        f.push(run(&floor));
        r.push(run(&refused));
        h.push(run(&hang));
    }
    for w in &workers {
        w.stop();
    }
    let attempts = refused
        .store()
        .notifications(None)
        .expect("the outbox")
        .iter()
        .map(|n| n.attempts)
        .sum::<u32>();
    let per_step = |d: Duration| d / STEPS;
    let (f50, f99) = percentiles(&mut f);
    let (r50, r99) = percentiles(&mut r);
    let (h50, h99) = percentiles(&mut h);
    println!(
        "runs per case: {runs}, {STEPS} steps each; refused sender made {attempts} attempts meanwhile"
    );
    let line = |name: &str, p50: Duration, p99: Duration| {
        println!(
            "{name:<44} per step p50 {:>7.3} ms   p99 {:>7.3} ms",
            ms(per_step(p50)),
            ms(per_step(p99))
        )
    };
    line("floor: notifications off", f50, f99);
    line("notifier refusing connections", r50, r99);
    line("notifier accepting, never answering", h50, h99);
    line(
        "refused: added over the floor",
        r50.saturating_sub(f50),
        r99.saturating_sub(f99),
    );
    line(
        "hanging: added over the floor",
        h50.saturating_sub(f50),
        h99.saturating_sub(f99),
    );
}

fn write_sop(sops: &Path) {
    let folder = sops.join("bench");
    std::fs::create_dir_all(&folder).expect("the SOP folder");
    std::fs::write(
        folder.join("SOP.toml"),
        "[sop]\nname = \"bench\"\ndescription = \"bench\"\nexecution_mode = \"auto\"\nnotify_on = [\"succeeded\", \"failed\"]\n\n[[triggers]]\ntype = \"manual\"\n",
    )
    .expect("SOP.toml");
    let md: String = (1..=STEPS)
        .map(|n| format!("## Step {n}: S{n}\n```sh\ntrue\n```\n\n"))
        .collect();
    std::fs::write(folder.join("SOP.md"), format!("# Bench\n\n{md}")).expect("SOP.md");
}

fn service(dir: &Path, db: &str, extra: &[(&str, &str)]) -> Service {
    let mut vars = vec![
        (
            "SOP_DATABASE_URL".to_string(),
            format!("sqlite:{}", dir.join(format!("{db}.db")).display()),
        ),
        ("SOP_NOTIFICATION_ENABLED".to_string(), "true".to_string()),
        ("SOP_NOTIFY_WEBHOOK_SECRET".to_string(), "bench".to_string()),
        ("SOP_NOTIFY_RETRY_BASE".to_string(), "10ms".to_string()),
        ("SOP_NOTIFY_MAX_ATTEMPTS".to_string(), "100".to_string()),
    ];
    for (k, v) in extra {
        vars.push((k.to_string(), v.to_string()));
    }
    let settings = Settings::from_vars(Some(dir.join("sops")), vars);
    let store = Arc::from(settings.open_store().expect("a store"));
    Service::new(settings, store, Clock::system())
}

fn run(service: &Service) -> Duration {
    let started = Instant::now();
    let caller = Caller::new("bench", &NoEvents);
    let req = StartRequest::manual("bench", Map::new());
    let plan = service.plan_run(&req).expect("a plan");
    let started_run = service.start_run(&caller, &req, plan).expect("a run");
    let mut t = started_run.tracked;
    if let Some(action) = started_run.action {
        service.drive(&caller, &mut t, action).expect("driven");
    }
    assert_eq!(t.run.status.as_str(), "succeeded");
    started.elapsed()
}

fn percentiles(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort_unstable();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    (at(0.50), at(0.99))
}
