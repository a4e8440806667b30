//! The executor's cost per step next to its floor, measured in the same run: spawning `sh -c true`
//! and waiting for it (std `Command`, output piped), versus `Executor::run_step` of a one-block
//! step running `true` (own process group, full environment, `$SOP_OUTPUT` file created and
//! parsed, output streamed and hashed). The difference is what the executor adds to a step.
//!
//! `cargo bench -p sop-engine --bench executor`; `SOP_BENCH_RUNS` sets the timed runs (default 2000).

#[path = "../../sop/benches/support/mod.rs"]
mod support;

use serde_json::{Map, Value, json};
use sop_engine::executor::{
    Executor, ExecutorSettings, Observer, RunInfo, ScratchDir, Script, StepRequest,
};
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::ms;

fn main() {
    let runs = support::bench_runs(2000);
    let work = ScratchDir::create("sop-bench-work").expect("a temp dir");
    let scratch = ScratchDir::create("sop-bench-scratch").expect("a temp dir");
    let variables: Map<String, Value> = json!({"env": "prod", "service": "api", "replicas": 3})
        .as_object()
        .cloned()
        .expect("an object");
    let executor = Executor::new(
        RunInfo {
            run_id: "bench",
            sop_name: "bench",
            variables: &variables,
            workdir: work.path(),
            scratch_dir: scratch.path(),
            withheld: &[],
        },
        ExecutorSettings::default(),
    )
    .expect("valid variables");
    let scripts = [Script {
        interpreter: "sh",
        code: "true".to_string(),
    }];
    let earlier: BTreeMap<u32, _> = (1..=5)
        .map(|n| (n, [("version".to_string(), format!("1.{n}"))].into()))
        .collect();

    let floor = || {
        let status = Command::new("sh")
            .args(["-c", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .status()
            .expect("sh runs");
        assert!(status.success());
    };
    let step = || {
        let result = executor.run_step(
            &StepRequest {
                number: 6,
                scripts: &scripts,
                timeout: Some(Duration::from_secs(3600)),
                retries: 0,
                deadline: None,
                earlier_outputs: &earlier,
                first_attempt: 1,
                not_before: None,
            },
            &mut Discard,
        );
        assert!(result.succeeded(), "{result:?}");
    };

    for _ in 0..50 {
        floor();
        step();
    }
    // Interleaved, so both see the same machine state.
    let mut floors = Vec::with_capacity(runs);
    let mut steps = Vec::with_capacity(runs);
    for _ in 0..runs {
        floors.push(time(floor));
        steps.push(time(step));
    }
    let (f50, f99) = percentiles(&mut floors);
    let (s50, s99) = percentiles(&mut steps);
    println!("runs: {runs}");
    println!(
        "floor: spawn `sh -c true` and wait     p50 {:>7.3} ms   p99 {:>7.3} ms",
        ms(f50),
        ms(f99)
    );
    println!(
        "executor: run_step of `true`            p50 {:>7.3} ms   p99 {:>7.3} ms",
        ms(s50),
        ms(s99)
    );
    println!(
        "executor overhead over the floor        p50 {:>7.3} ms   p99 {:>7.3} ms",
        ms(s50.saturating_sub(f50)),
        ms(s99.saturating_sub(f99))
    );
}

/// Drops the (empty) output; never stops the step.
struct Discard;

impl Observer for Discard {}

fn time(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn percentiles(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort_unstable();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    (at(0.50), at(0.99))
}
