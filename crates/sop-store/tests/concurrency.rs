//! Several writers on one database file: threads with their own connections, and real processes.
//! No writer may fail with "database is locked", and a compare-and-set race has one winner.

mod common;

use common::*;
use serde_json::json;
use sop_core::run::{RunStatus, StepStatus};
use sop_store::*;
use std::path::Path;
use std::sync::{Arc, Barrier};

/// What one engine does per step: finish one step, start the next, audit both, in one commit.
fn drive_run(store: &SqliteStore, sop: &str, steps: u32) {
    let run = create(store, &new_run(sop, steps));
    let mut version = run.version;
    for n in 1..=steps {
        version = store
            .transaction(|tx| {
                if n > 1 {
                    tx.update_step(&run.id, n - 1, &StepPatch::status(StepStatus::Succeeded))?;
                }
                tx.update_step(&run.id, n, &StepPatch::status(StepStatus::Running))?;
                tx.audit(&AuditEvent::new(
                    at(n.into()),
                    Some(&run.id),
                    "engine",
                    "step.started",
                    json!({ "step": n }),
                ))?;
                let r = tx.update_run(
                    &run.id,
                    &Expect::version(version),
                    &RunPatch::status(RunStatus::Running).with_current_step(n),
                )?;
                Ok(r.version)
            })
            .unwrap_or_else(|e| panic!("{sop} step {n}: {e}"));
    }
}

#[test]
fn threads_with_their_own_connections_never_see_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    drop(SqliteStore::open(&path).unwrap());
    let threads = 6;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let path = path.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let store = SqliteStore::open(&path).unwrap();
                barrier.wait();
                for _ in 0..5 {
                    drive_run(&store, &format!("sop{i}"), 8);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    for i in 0..threads {
        assert_eq!(store.count_active_runs(&format!("sop{i}")).unwrap(), 5);
    }
    let report = store.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.entries, (threads * 5 * 8) as u64);
}

#[test]
fn of_racing_conditional_updates_exactly_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    let run = create(&SqliteStore::open(&path).unwrap(), &new_run("deploy", 1));
    let racers = 8;
    let barrier = Arc::new(Barrier::new(racers));
    let handles: Vec<_> = (0..racers)
        .map(|i| {
            let (path, barrier, id) = (path.clone(), barrier.clone(), run.id.clone());
            std::thread::spawn(move || {
                let store = SqliteStore::open(&path).unwrap();
                barrier.wait();
                store.transaction(|tx| {
                    tx.audit(&AuditEvent::new(
                        at(1),
                        Some(&id),
                        format!("approver{i}"),
                        "gate.approved",
                        json!({}),
                    ))?;
                    tx.update_run(
                        &id,
                        &Expect::version(0).and_status_in(&[RunStatus::Pending]),
                        &RunPatch::status(RunStatus::Running),
                    )
                })
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let winners = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(winners, 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(StoreError::is_conflict)
    );
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.run(&run.id).unwrap().version, 1);
    // The losers' audit entries were rolled back with their updates.
    assert_eq!(store.audit_entries(Some(&run.id)).unwrap().len(), 1);
}

const CHILD_ENV: &str = "SOP_STORE_TEST_CHILD_DB";
const PROCESSES: usize = 4;
const RUNS_PER_PROCESS: usize = 6;

fn child(path: &Path, index: &str) {
    let store = SqliteStore::open(path).unwrap();
    for _ in 0..RUNS_PER_PROCESS {
        drive_run(&store, &format!("proc{index}"), 5);
    }
}

#[test]
fn several_processes_write_at_once() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        let (index, path) = spec.split_once(':').unwrap();
        child(Path::new(path), index);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|i| {
            std::process::Command::new(&exe)
                .args(["--exact", "several_processes_write_at_once", "--nocapture"])
                .env(CHILD_ENV, format!("{i}:{}", path.display()))
                .output_async()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "child failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = SqliteStore::open(&path).unwrap();
    for i in 0..PROCESSES {
        assert_eq!(
            store.count_active_runs(&format!("proc{i}")).unwrap(),
            RUNS_PER_PROCESS as u64
        );
    }
    let report = store.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.entries, (PROCESSES * RUNS_PER_PROCESS * 5) as u64);
}

trait SpawnPiped {
    fn output_async(&mut self) -> std::process::Child;
}

impl SpawnPiped for std::process::Command {
    fn output_async(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }
}

#[test]
fn a_writer_kept_out_too_long_gets_a_retryable_busy_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    let store = SqliteStore::open(&path).unwrap();
    store
        .set_busy_timeout(std::time::Duration::from_millis(20))
        .unwrap();
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let err = store
        .transaction(|tx| tx.insert_run(&new_run("a", 1)))
        .unwrap_err();
    assert!(matches!(err, StoreError::Busy(_)), "{err:?}");
    assert!(err.is_retryable());
    // Reads are not blocked by a writer.
    assert!(store.list_runs(&RunFilter::default()).unwrap().is_empty());
    holder.execute_batch("ROLLBACK").unwrap();
    store
        .transaction(|tx| tx.insert_run(&new_run("a", 1)))
        .unwrap();
}
