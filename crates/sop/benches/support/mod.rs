//! What the whole-process benchmarks share: the number of rounds, the release binary, the spawn
//! ceiling and percentiles.

// Each benchmark uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// `SOP_BENCH_RUNS`, or `default` when it is unset or not a number.
pub fn bench_runs(default: usize) -> usize {
    env_count("SOP_BENCH_RUNS", default)
}

/// The number in the environment variable `name`, or `default` when it is unset or not a
/// number.
pub fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Builds the release binary and returns its path.
pub fn build_release() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", "sop", "--bin", "sop"])
        .current_dir(manifest)
        .status()
        .expect("run cargo build --release");
    assert!(status.success(), "cargo build --release -p sop failed");
    // The build leaves hundreds of megabytes to write back; flushed now, no measured commit
    // waits behind them.
    let _ = Command::new("sync").status();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../target"));
    let binary = target.join("release/sop");
    assert!(
        binary.is_file(),
        "{} is missing; run `cargo build --release` first",
        binary.display()
    );
    binary
}

/// The `p`th percentile of `sorted` (ascending, not empty).
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// A duration in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The most `sh -c true` processes per second, and from how many spawning threads. One thread
/// per core leaves a core idle whenever its thread waits for a child to be reaped, so half as
/// many again and twice as many are tried too, and the best counts.
pub fn spawn_ceiling() -> (f64, usize) {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    [cores, cores + cores.div_ceil(2), 2 * cores]
        .into_iter()
        .map(|threads| (spawn_rate(threads), threads))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .expect("three thread counts were tried")
}

/// `sh -c true` processes per second from `threads` threads, each starting one and waiting for
/// it, over a window of 1.5 s.
fn spawn_rate(threads: usize) -> f64 {
    let window = Duration::from_millis(1500);
    let started = Instant::now();
    let threads: Vec<_> = (0..threads)
        .map(|_| {
            std::thread::spawn(move || {
                let mut n = 0u64;
                while started.elapsed() < window {
                    Command::new("sh").args(["-c", "true"]).status().unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    total as f64 / started.elapsed().as_secs_f64()
}
