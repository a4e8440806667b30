//! `on_limit = "queue"` in the store: queued runs hold no place, come out oldest first per SOP,
//! carry their `conditions_due` flag, and writers deciding under `lock_concurrency` never pass
//! a limit, however they race.

use super::*;
use serde_json::json;
use sop_core::run::RunStatus;
use sop_store::*;
use std::sync::Barrier;

fn queued(sop: &str, secs: i64) -> NewRun {
    let mut new = new_run(sop, 1);
    new.status = RunStatus::Queued;
    new.created_at = at(secs);
    new.conditions_due = true;
    new
}

pub fn queued_runs_come_out_oldest_first_per_sop_and_hold_no_place(db: &dyn TestDb) {
    let store = db.connect();
    let active = create(store.as_ref(), &new_run("deploy", 1));
    let second = create(store.as_ref(), &queued("deploy", 20));
    let first = create(store.as_ref(), &queued("deploy", 10));
    create(store.as_ref(), &queued("other", 5));
    assert!(first.conditions_due);
    assert!(store.run(&first.id).unwrap().conditions_due);
    assert!(!store.run(&active.id).unwrap().conditions_due);
    // Queued runs wait for a place instead of holding one.
    assert_eq!(store.count_active_runs("deploy").unwrap(), 1);

    let next = store
        .transaction(|tx| tx.next_queued_run("deploy"))
        .unwrap()
        .unwrap();
    assert_eq!(next.id, first.id);
    assert_eq!(next.status, RunStatus::Queued);

    let moved = store
        .transaction(|tx| {
            tx.update_run(
                &first.id,
                &Expect::version(next.version).and_status_in(&[RunStatus::Queued]),
                &RunPatch::status(RunStatus::Pending),
            )
        })
        .unwrap();
    assert_eq!(moved.status, RunStatus::Pending);
    assert!(moved.conditions_due, "moving up keeps the recheck due");
    assert_eq!(store.count_active_runs("deploy").unwrap(), 2);
    let cleared = store
        .transaction(|tx| {
            let patch = RunPatch {
                conditions_due: Some(false),
                ..RunPatch::status(RunStatus::Running)
            };
            tx.update_run(&first.id, &Expect::version(moved.version), &patch)
        })
        .unwrap();
    assert!(!cleared.conditions_due);
    assert!(!store.run(&first.id).unwrap().conditions_due);

    let next = store
        .transaction(|tx| tx.next_queued_run("deploy"))
        .unwrap();
    assert_eq!(next.map(|r| r.id), Some(second.id));
    let none = store.transaction(|tx| tx.next_queued_run("none")).unwrap();
    assert!(none.is_none());
}

/// Two runs of a `concurrency = 2` SOP end at once while four wait: each writer ends its run,
/// then moves queued runs up while the count allows. Exactly two move, the two oldest.
pub fn runs_ending_at_once_move_up_no_more_than_the_limit(db: &dyn TestDb) {
    let store = db.connect();
    let limit = 2;
    let running: Vec<Run> = (0..limit)
        .map(|_| create(store.as_ref(), &new_run("deploy", 1)))
        .collect();
    let waiting: Vec<Run> = (0..4)
        .map(|i| create(store.as_ref(), &queued("deploy", 10 + i)))
        .collect();
    let barrier = Barrier::new(running.len());
    std::thread::scope(|s| {
        for run in &running {
            let barrier = &barrier;
            s.spawn(move || {
                // Wait first: a handle that fails to open then fails the test instead of
                // leaving the others waiting at the barrier for ever.
                barrier.wait();
                let store = db.connect();
                store
                    .transaction(|tx| {
                        tx.update_run(
                            &run.id,
                            &Expect::version(run.version),
                            &RunPatch::status(RunStatus::Succeeded),
                        )?;
                        tx.audit(&AuditEvent::new(
                            t0(),
                            Some(&run.id),
                            "engine",
                            "run.finished",
                            json!({}),
                        ))?;
                        tx.lock_concurrency("deploy")?;
                        while let Some(next) = tx.next_queued_run("deploy")? {
                            if tx.count_active_runs("deploy")? >= limit as u64 {
                                break;
                            }
                            tx.update_run(
                                &next.id,
                                &Expect::version(next.version),
                                &RunPatch::status(RunStatus::Pending),
                            )?;
                        }
                        Ok(())
                    })
                    .unwrap();
            });
        }
    });
    assert_eq!(store.count_active_runs("deploy").unwrap(), limit as u64);
    let statuses: Vec<RunStatus> = waiting
        .iter()
        .map(|r| store.run(&r.id).unwrap().status)
        .collect();
    assert_eq!(
        statuses,
        [
            RunStatus::Pending,
            RunStatus::Pending,
            RunStatus::Queued,
            RunStatus::Queued
        ]
    );
}

/// Starts racing for the last places, each counting under `lock_concurrency` before inserting:
/// no more runs than the limit become active.
pub fn starts_racing_under_the_lock_never_pass_the_limit(db: &dyn TestDb) {
    let limit = 3u64;
    let racers = 8;
    let barrier = Barrier::new(racers);
    std::thread::scope(|s| {
        for _ in 0..racers {
            let barrier = &barrier;
            s.spawn(move || {
                // Wait first: a handle that fails to open then fails the test instead of
                // leaving the others waiting at the barrier for ever.
                barrier.wait();
                let store = db.connect();
                store
                    .transaction(|tx| {
                        tx.lock_concurrency("deploy")?;
                        let mut new = new_run("deploy", 1);
                        if tx.count_active_runs("deploy")? >= limit {
                            new.status = RunStatus::Queued;
                        }
                        let run = tx.insert_run(&new)?;
                        tx.audit(&AuditEvent::new(
                            t0(),
                            Some(&run.id),
                            "engine",
                            "run.created",
                            json!({}),
                        ))?;
                        Ok(())
                    })
                    .unwrap();
            });
        }
    });
    let store = db.connect();
    assert_eq!(store.count_active_runs("deploy").unwrap(), limit);
    let queued = store
        .list_runs(&RunFilter {
            statuses: vec![RunStatus::Queued],
            ..RunFilter::default()
        })
        .unwrap();
    assert_eq!(queued.len(), racers - limit as usize);
}
