//! Measures the store's floor: one durable commit, the engine's per-step transaction, and the
//! `sop status` queries on 100,000 runs. Run with `cargo bench -p sop-store --bench commit`.
//!
//! The database lives under the target directory (a real disk, not a tmpfs), because a durable
//! commit's cost is its fsync.

mod shared;

use serde_json::json;
use shared::{new_run, t0, time};
use sop_core::run::{RunStatus, StepStatus};
use sop_store::*;

const COMMITS: usize = 2000;
const LIST_RUNS: usize = 100_000;
const QUERIES: usize = 300;

/// Pages one call of `f` writes to the WAL, averaged over 50 calls: what each fsync carries,
/// independent of how busy the disk is.
fn pages_per_commit(path: &std::path::Path, mut f: impl FnMut(usize)) -> f64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    let frames = |mode: &str| -> i64 {
        conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| r.get(1))
            .unwrap()
    };
    frames("TRUNCATE");
    let n = 50;
    (0..n).for_each(&mut f);
    frames("PASSIVE") as f64 / n as f64
}

fn bench_commits(dir: &std::path::Path) {
    let path = dir.join("commit.db");
    let store = SqliteStore::open(&path).unwrap();
    let pages = pages_per_commit(&path, |i| {
        store
            .append_audit(&AuditEvent::new(
                t0(),
                None,
                "bench",
                "bench.tick",
                json!({ "i": i }),
            ))
            .unwrap();
    });
    println!("durable commit (one audit entry): {pages:.1} pages per commit");
    time(COMMITS, |i| {
        store
            .append_audit(&AuditEvent::new(
                t0(),
                None,
                "bench",
                "bench.tick",
                json!({ "i": i }),
            ))
            .unwrap();
    })
    .report("durable commit (one audit entry)");

    // The engine's per-step write: finish step N, start step N+1, two audit entries, run CAS.
    let steps = 40u32;
    let mut run = store
        .transaction(|tx| tx.insert_run(&new_run("bench", steps, t0(), RunStatus::Running)))
        .unwrap();
    let mut step = 0u32;
    time(COMMITS, |_| {
        if step == steps {
            run = store
                .transaction(|tx| tx.insert_run(&new_run("bench", steps, t0(), RunStatus::Running)))
                .unwrap();
            step = 0;
        }
        step += 1;
        let (id, version, n) = (run.id.clone(), run.version, step);
        run = store
            .transaction(|tx| {
                if n > 1 {
                    tx.update_step(
                        &id,
                        n - 1,
                        &StepPatch {
                            status: Some(StepStatus::Succeeded),
                            exit_code: Some(Some(0)),
                            finished_at: Some(Some(t0())),
                            duration_ms: Some(Some(1)),
                            output: Some(StepOutput {
                                tail: b"ok\n".to_vec(),
                                total_size: 3,
                                sha256: Some("ab".repeat(32)),
                            }),
                            process_group: Some(None),
                            ..StepPatch::default()
                        },
                    )?;
                    tx.audit(&AuditEvent::new(
                        t0(),
                        Some(&id),
                        "engine",
                        "step.finished",
                        json!({"step": n - 1, "exit_code": 0}),
                    ))?;
                }
                tx.update_step(
                    &id,
                    n,
                    &StepPatch {
                        status: Some(StepStatus::Running),
                        attempts: Some(1),
                        started_at: Some(Some(t0())),
                        ..StepPatch::default()
                    },
                )?;
                tx.audit(&AuditEvent::new(
                    t0(),
                    Some(&id),
                    "engine",
                    "step.started",
                    json!({"step": n}),
                ))?;
                tx.update_run(
                    &id,
                    &Expect::version(version),
                    &RunPatch::default().with_current_step(n),
                )
            })
            .unwrap();
    })
    .report("step transition (finish N + start N+1)");
    bench_engine_transition(&store, &path);
}

/// The engine's transition ([`shared::engine_transition`]): the pages each commit writes, and
/// its time.
fn bench_engine_transition(store: &SqliteStore, path: &std::path::Path) {
    let mut transition = shared::engine_transition(store, "bench:1");
    let pages = pages_per_commit(path, &mut transition);
    println!("engine-shaped transition: {pages:.1} pages per commit");
    time(COMMITS, transition).report("engine-shaped transition (lease, 8 KiB SOP)");
}

fn bench_lists(dir: &std::path::Path) {
    let path = dir.join("list.db");
    let store = SqliteStore::open(&path).unwrap();
    let sops = ["deploy", "backup", "incident", "rotate-keys", "cleanup"];
    for chunk in 0..(LIST_RUNS / 10_000) {
        store
            .transaction(|tx| {
                for i in 0..10_000 {
                    let k = chunk * 10_000 + i;
                    let status = if k % 97 == 0 {
                        RunStatus::Running
                    } else if k % 11 == 0 {
                        RunStatus::Failed
                    } else {
                        RunStatus::Succeeded
                    };
                    let at = t0() + chrono::Duration::seconds(k as i64 * 30);
                    tx.insert_run(&new_run(sops[k % sops.len()], 5, at, status))?;
                }
                Ok(())
            })
            .unwrap();
    }
    println!("({LIST_RUNS} runs of 5 steps each in {})", path.display());
    let filters = [
        ("list runs, newest 20", RunFilter::default()),
        (
            "list runs of one SOP, newest 20",
            RunFilter {
                sop_name: Some("incident".into()),
                ..RunFilter::default()
            },
        ),
        (
            "list running runs (rare status)",
            RunFilter {
                statuses: vec![RunStatus::Running],
                ..RunFilter::default()
            },
        ),
        (
            "list failed+succeeded (common statuses)",
            RunFilter {
                statuses: vec![RunStatus::Failed, RunStatus::Succeeded],
                ..RunFilter::default()
            },
        ),
    ];
    for (what, filter) in &filters {
        time(QUERIES, |_| {
            assert!(!store.list_runs(filter).unwrap().is_empty());
        })
        .report(what);
    }
    let some_id = store.list_runs(&RunFilter::default()).unwrap()[0]
        .id
        .clone();
    time(QUERIES, |_| {
        store.find_run(&some_id[..10]).unwrap();
    })
    .report("find run by 10-char prefix");
    time(QUERIES, |_| {
        store.count_active_runs("deploy").unwrap();
    })
    .report("count active runs of one SOP");
    time(3, |_| {
        assert!(store.verify_audit().unwrap().is_ok());
    })
    .report("verify (chain + integrity_check)");
    time(QUERIES / 3, |_| {
        let fresh = SqliteStore::open(&path).unwrap();
        assert_eq!(fresh.list_runs(&RunFilter::default()).unwrap().len(), 20);
    })
    .report("open database + list newest 20");
}

fn main() {
    let base = std::env::var_os("SOP_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(&base).unwrap();
    println!("sop-store benchmark (SQLite {})", rusqlite::version());
    bench_commits(dir.path());
    bench_lists(dir.path());
}
