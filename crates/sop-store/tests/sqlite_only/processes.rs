//! Several processes writing one file at once, and a writer kept out past the busy timeout.

use crate::suite::concurrency::drive_run;
use crate::suite::*;
use sop_store::*;
use std::path::Path;

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
                .args([
                    "--exact",
                    "sqlite_only::processes::several_processes_write_at_once",
                    "--nocapture",
                ])
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
