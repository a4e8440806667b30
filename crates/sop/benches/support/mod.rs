//! What the whole-process benchmarks share: the number of rounds, the release binary and
//! percentiles.

// Each benchmark uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

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
