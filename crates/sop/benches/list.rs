//! `sop list` on 1,000 generated SOPs, timed as a whole process: start-up, reading and parsing
//! every folder, printing. Target: 50 ms.
//!
//! `cargo bench -p sop --bench list` builds the release binary first (a no-op when it is up to
//! date) and times `target/release/sop --dir DIR list`. `SOP_BENCH_RUNS` sets the number of
//! timed runs (default 100); `SOP_BENCH_BINARY` times another build of `sop`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{build_release, ms, percentile};

const SOPS: usize = 1_000;
const TARGET: Duration = Duration::from_millis(50);

fn main() {
    let runs = support::bench_runs(100);
    let binary = std::env::var_os("SOP_BENCH_BINARY").map_or_else(build_release, PathBuf::from);
    let dir = tempfile::Builder::new()
        .prefix("sop-bench-list-")
        .tempdir()
        .expect("create a temp dir");
    for i in 0..SOPS {
        write_sop(dir.path(), i);
    }

    let list = || {
        let mut cmd = Command::new(&binary);
        cmd.arg("--dir")
            .arg(dir.path())
            .arg("list")
            .env_remove("SOP_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    };
    let check = list().output().expect("run sop list");
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success() && stdout.contains(&format!("Available SOPs: {SOPS}")),
        "sop list failed on the generated SOPs:\n{stdout}\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for _ in 0..5 {
        list().output().expect("warm-up run");
    }

    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let out = list().output().expect("run sop list");
            let took = start.elapsed();
            assert!(out.status.success());
            took
        })
        .collect();
    times.sort();
    let pct = |p: usize| percentile(&times, p);
    println!(
        "sop list, {SOPS} SOPs, {runs} runs (whole process, {}):",
        binary.display()
    );
    println!(
        "  min {:.1} ms   p50 {:.1} ms   p95 {:.1} ms   max {:.1} ms   (target: p50 <= {} ms)",
        ms(times[0]),
        ms(pct(50)),
        ms(pct(95)),
        ms(times[times.len() - 1]),
        TARGET.as_millis()
    );
    if pct(50) > TARGET {
        println!("  ABOVE TARGET");
    }
}

/// One realistic SOP: mixed triggers and conditions, five steps with options, checklists and
/// shell blocks with placeholders.
fn write_sop(root: &Path, i: usize) {
    let name = format!("sop-{i:04}");
    let priority = ["low", "normal", "high", "critical"][i % 4];
    let mode = ["auto", "supervised", "step_by_step", "priority_based"][i % 4];
    let trigger = match i % 3 {
        0 => format!("[[triggers]]\ntype = \"cron\"\nexpression = \"{} {} * * *\"\n", i % 60, i % 24),
        1 => format!("[[triggers]]\ntype = \"webhook\"\npath = \"/hooks/{name}\"\n"),
        _ => "[[triggers]]\ntype = \"event\"\nevent = \"deploy.*\"\ncondition = \"environment == 'production'\"\ncooldown = \"10m\"\n".to_string(),
    };
    let toml = format!(
        r#"[sop]
name = "{name}"
description = "Generated procedure number {i}"
version = "1.{i}.0"
author = "bench"
priority = "{priority}"
execution_mode = "{mode}"
approval_timeout = "2h"

[[triggers]]
type = "manual"

{trigger}
[conditions]
requires = ["PROD_DOWN", "disk_usage > 80%"]
expression = "severity >= 'high' && business_hours == true"
"#
    );
    let mut md = format!("# Procedure {i}\n\nWhat this procedure is for, and when to run it.\n");
    for step in 1..=5 {
        md.push_str(&format!(
            r#"
## Step {step}: Do part {step}
<!-- sop: timeout = "5m", retries = 1, idempotent = true -->
Explain what this step does and why, with `inline code` and **emphasis**.

- Check the dashboard for {{{{ service }}}}
- Confirm the previous step's result

```sh
echo "step {step} of {name} for {{{{ service }}}}"
echo "result_{step}=ok" >> "$SOP_OUTPUT"
```
"#
        ));
    }
    let dir = root.join(&name);
    std::fs::create_dir_all(&dir).expect("create SOP folder");
    std::fs::write(dir.join("SOP.toml"), toml).expect("write SOP.toml");
    std::fs::write(dir.join("SOP.md"), md).expect("write SOP.md");
}
