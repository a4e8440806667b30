//! The driving `sop` process killed with SIGKILL at random instants, the first milliseconds of a
//! step included, again and again: an interrupted step never runs alongside its re-run, whether
//! recovery re-runs it (idempotent) or a person does with `sop retry`.
//!
//! Every execution of a step appends `start`, a stream of `tick`s and `end` to one ledger, each
//! line one `O_APPEND` write, so the file's order is the order in time. An execution that was
//! still running when another began would leave a line inside the other's span.

use crate::run_support::{run_json, spawn, wait_until};
use crate::support::Sandbox;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

const KILLS_PER_SOP: usize = 26;
const STEPS: usize = 5;

/// A step that appends to the ledger for about a tenth of a second: a survivor of a kill would
/// add a `tick` within about 5 ms, inside any later execution's span.
fn step_code(ledger: &Path) -> String {
    let ledger = ledger.display();
    format!(
        "id=\"$SOP_STEP.$$\"\necho \"start $id\" >> '{ledger}'\ni=0\nwhile [ $i -lt 20 ]; do\n  sleep 0.005\n  echo \"tick $id\" >> '{ledger}'\n  i=$((i+1))\ndone\necho \"end $id\" >> '{ledger}'\n"
    )
}

fn write_sop(sb: &Sandbox, name: &str, idempotent: bool) {
    let ledger = sb.root().join(format!("{name}.ledger"));
    let mut md = format!("# {name}\n");
    for n in 1..=STEPS {
        md.push_str(&format!("\n## Step {n}: Append\n\n"));
        if idempotent {
            md.push_str("<!-- sop: idempotent = true -->\n\n");
        }
        md.push_str(&format!("```sh\n{}```\n", step_code(&ledger)));
    }
    let toml = format!(
        "[sop]\nname = \"{name}\"\ndescription = \"Appends to a ledger\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n"
    );
    sb.sop(name, &toml, &md);
}

/// The number of ledger lines starting with `what` so far.
fn count(ledger: &Path, what: &str) -> usize {
    std::fs::read_to_string(ledger)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with(what))
        .count()
}

/// Waits (up to a second, or until the driver ends) for one more ledger line starting with
/// `what`.
fn next_line(driver: &mut Child, ledger: &Path, what: &str) {
    let before = count(ledger, what);
    let deadline = Instant::now() + Duration::from_secs(1);
    while count(ledger, what) == before && Instant::now() < deadline {
        if driver.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::yield_now();
    }
}

/// Kills `driver` with SIGKILL at a random instant: within the first millisecond of a step's
/// command, within 1.5 ms after a step ended (while the next one is started held and
/// committed), or anywhere in the first 150 ms.
fn kill_at_random(driver: &mut Child, ledger: &Path, rng: &mut impl Rng) {
    match rng.random_range(0..3) {
        0 => {
            next_line(driver, ledger, "start ");
            std::thread::sleep(Duration::from_micros(rng.random_range(0..1000)));
        }
        1 => {
            next_line(driver, ledger, "end ");
            std::thread::sleep(Duration::from_micros(rng.random_range(0..1500)));
        }
        _ => std::thread::sleep(Duration::from_micros(rng.random_range(0..150_000))),
    }
    let _ = driver.kill();
    driver.wait().unwrap();
}

/// The next driver of run `id`: `sop resume`, or `sop retry` when recovery left the
/// interrupted step to a person. `None` once the run has finished.
fn next_driver(sb: &Sandbox, id: &str) -> Option<Child> {
    let run = run_json(sb, id);
    match run["status"].as_str() {
        Some("succeeded") => None,
        Some("waiting") => Some(spawn(sb, &["retry", id], &[])),
        Some("pending" | "running" | "paused") => Some(spawn(sb, &["resume", id], &[])),
        other => panic!("run {id} is {other:?}: {run}"),
    }
}

/// The span (first and last line) of every execution in the ledger, by execution id.
fn spans(ledger: &Path) -> BTreeMap<String, (usize, usize, bool)> {
    let text = std::fs::read_to_string(ledger).unwrap();
    let mut spans: BTreeMap<String, (usize, usize, bool)> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let (what, id) = line.split_once(' ').expect("a ledger line");
        let span = spans.entry(id.to_string()).or_insert((n, n, false));
        span.1 = n;
        span.2 |= what == "end";
    }
    spans
}

/// Runs `name` to its end under `KILLS_PER_SOP` kills and checks the ledger.
fn torture(sb: &Sandbox, name: &str, rng: &mut impl Rng) {
    let ledger = sb.root().join(format!("{name}.ledger"));
    let mut id: Option<String> = None;
    for _ in 0..KILLS_PER_SOP {
        let mut driver = match id.as_deref().and_then(|run| next_driver(sb, run)) {
            Some(driver) => driver,
            None => {
                let mut driver = spawn(sb, &["execute", name], &[]);
                let previous = id.take();
                wait_until("the new run to be recorded", || {
                    let out = sb.run(&["status", "--sop", name, "--json"]);
                    id = out.json()[0]["id"].as_str().map(str::to_string);
                    if id.is_some() && id != previous {
                        return true;
                    }
                    // A start that failed (the machine too busy to take the write lock in
                    // time) records nothing: say why, and start again.
                    if let Ok(Some(status)) = driver.try_wait() {
                        let mut err = String::new();
                        if let Some(mut e) = driver.stderr.take() {
                            let _ = std::io::Read::read_to_string(&mut e, &mut err);
                        }
                        println!("start exited with {status} before recording a run: {err}");
                        driver = spawn(sb, &["execute", name], &[]);
                    }
                    false
                });
                driver
            }
        };
        kill_at_random(&mut driver, &ledger, rng);
    }
    // Recovery and the last drivers, unkilled, finish the last run.
    let id = id.unwrap();
    while let Some(driver) = next_driver(sb, &id) {
        let out = driver.wait_with_output().unwrap();
        assert!(out.status.code().is_some(), "a driver died by a signal");
    }

    let spans = spans(&ledger);
    let mut ordered: Vec<_> = spans.iter().collect();
    ordered.sort_by_key(|(_, span)| span.0);
    for pair in ordered.windows(2) {
        let ((a, sa), (b, sb)) = (pair[0], pair[1]);
        assert!(
            sa.1 < sb.0,
            "{name}: execution {a} (lines {}..={}) overlaps {b} (lines {}..={})",
            sa.0,
            sa.1,
            sb.0,
            sb.1
        );
    }
    let interrupted = spans.values().filter(|s| !s.2).count();
    assert!(
        interrupted >= 5,
        "{name}: only {interrupted} executions were cut short; the kills missed the steps"
    );
}

#[test]
fn a_killed_driver_never_leaves_a_step_running_beside_its_rerun() {
    let mut sb = Sandbox::new();
    sb.env("SOP_KILL_GRACE", "2s");
    write_sop(&sb, "again", true);
    write_sop(&sb, "once", false);
    let seed: u64 = rand::rng().random();
    println!("seed {seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    torture(&sb, "again", &mut rng);
    torture(&sb, "once", &mut rng);
}
