//! Several handles on one database at once: writers on threads never fail with "locked", a
//! compare-and-set race has one winner, and reads do not wait for a write in progress.

use super::*;
use serde_json::json;
use sop_core::run::{RunStatus, StepStatus};
use sop_store::*;
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::time::Duration;

/// What one engine does per step: finish one step, start the next, audit both, in one commit.
/// Every entry is dated `t0()`, so that writers on many threads never date one before another.
pub fn drive_run(store: &dyn Store, sop: &str, steps: u32) {
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
                    t0(),
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

pub fn threads_with_their_own_handles_never_see_locked(db: &dyn TestDb) {
    let threads = 6;
    let barrier = Barrier::new(threads);
    std::thread::scope(|s| {
        for i in 0..threads {
            let barrier = &barrier;
            s.spawn(move || {
                // Wait first: a handle that fails to open then fails the test instead of
                // leaving the others waiting at the barrier for ever.
                barrier.wait();
                let store = db.connect();
                for _ in 0..5 {
                    drive_run(store.as_ref(), &format!("sop{i}"), 8);
                }
            });
        }
    });
    let store = db.connect();
    for i in 0..threads {
        assert_eq!(store.count_active_runs(&format!("sop{i}")).unwrap(), 5);
    }
    let report = store.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.entries, (threads * 5 * 8) as u64);
}

pub fn of_racing_conditional_updates_exactly_one_wins(db: &dyn TestDb) {
    let run = create(db.connect().as_ref(), &new_run("deploy", 1));
    let racers = 8;
    let barrier = Arc::new(Barrier::new(racers));
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..racers)
            .map(|i| {
                let (barrier, id) = (barrier.clone(), run.id.clone());
                s.spawn(move || {
                    // Wait first: a handle that fails to open then fails the test instead of
                    // leaving the others waiting at the barrier for ever.
                    barrier.wait();
                    let store = db.connect();
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
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(winners, 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(StoreError::is_conflict)
    );
    let store = db.connect();
    assert_eq!(store.run(&run.id).unwrap().version, 1);
    // The losers' audit entries were rolled back with their updates.
    assert_eq!(store.audit_entries(Some(&run.id)).unwrap().len(), 1);
}

/// How long the read may take before the test calls it stuck behind the write. Only a failing
/// test waits this long; a passing one finishes as soon as the read returns.
const STUCK: Duration = Duration::from_secs(20);

pub fn a_read_completes_while_a_write_is_held_open(db: &dyn TestDb) {
    let store = db.connect();
    let before = create(store.as_ref(), &new_run("before", 1));
    let (holding_tx, holding) = mpsc::channel();
    let (release_tx, release) = mpsc::channel::<()>();
    let (read_tx, read) = mpsc::channel();
    std::thread::scope(|s| {
        let store = store.as_ref();
        s.spawn(move || {
            store
                .write(&mut |tx| {
                    tx.insert_run(&new_run("during", 1))?;
                    holding_tx.send(()).unwrap();
                    // Held open until the reader has finished (or the test gave up on it).
                    release.recv().unwrap();
                    Ok(())
                })
                .unwrap();
        });
        holding.recv().unwrap();
        let id = before.id.clone();
        s.spawn(move || {
            let listed = store.list_runs(&RunFilter::default());
            let found = store.run(&id);
            read_tx.send((listed, found)).unwrap();
        });
        let outcome = read.recv_timeout(STUCK);
        release_tx.send(()).unwrap();
        let (listed, found) = outcome.expect("the read waited for the write transaction");
        // The read saw the last committed state: not the run the open write inserted.
        let names: Vec<String> = listed.unwrap().into_iter().map(|r| r.sop_name).collect();
        assert_eq!(names, ["before"]);
        assert_eq!(found.unwrap().id, before.id);
    });
    assert_eq!(store.list_runs(&RunFilter::default()).unwrap().len(), 2);
}
