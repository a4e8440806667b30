//! Claiming pending runs for the servers sharing a database, and waking the idle ones.

use super::*;
use sop_core::run::RunStatus;
use sop_store::*;
use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

fn pending_at(store: &dyn Store, secs: i64) -> String {
    let mut new = new_run("claimed", 1);
    new.created_at = at(secs);
    create(store, &new).id
}

pub fn pending_runs_are_claimed_oldest_first_and_once(db: &dyn TestDb) {
    let store = db.connect();
    let second = pending_at(store.as_ref(), 20);
    let first = pending_at(store.as_ref(), 10);
    let held = pending_at(store.as_ref(), 5);
    store
        .transaction(|tx| tx.acquire_lease(&held, "other/1/a", at(0), at(60)))
        .unwrap();
    let mut running = new_run("claimed", 1);
    running.status = RunStatus::Running;
    create(store.as_ref(), &running);

    let claim = |owner: &str| {
        store
            .transaction(|tx| tx.claim_pending_run(owner, at(90)))
            .unwrap()
    };
    assert_eq!(claim("me/1/a").as_deref(), Some(first.as_str()));
    assert_eq!(claim("me/1/b").as_deref(), Some(second.as_str()));
    assert_eq!(
        claim("me/1/c"),
        None,
        "a held or running run is never claimed"
    );

    let run = store.run(&first).unwrap();
    assert_eq!(run.lease_owner.as_deref(), Some("me/1/a"));
    assert_eq!(run.lease_expires_at, Some(at(90)));
    assert_eq!(
        run.status,
        RunStatus::Pending,
        "a claim takes the lease only"
    );
    assert_eq!(run.version, 0, "leases do not bump the version");
    assert_eq!(
        store.run(&held).unwrap().lease_owner.as_deref(),
        Some("other/1/a")
    );
}

pub fn racing_claims_each_get_a_different_run(db: &dyn TestDb) {
    let runs = 24;
    let threads = 6;
    let all: BTreeSet<String> = {
        let store = db.connect();
        (0..runs).map(|i| pending_at(store.as_ref(), i)).collect()
    };
    let barrier = Arc::new(Barrier::new(threads));
    let claimed: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|n| {
                let store = db.connect();
                let barrier = Arc::clone(&barrier);
                s.spawn(move || {
                    barrier.wait();
                    let owner = format!("node/{n}/x");
                    let mut mine = Vec::new();
                    while let Some(id) = store
                        .transaction(|tx| tx.claim_pending_run(&owner, at(60)))
                        .unwrap_or_else(|e| panic!("claim by {owner}: {e}"))
                    {
                        mine.push(id);
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let flat: Vec<&String> = claimed.iter().flatten().collect();
    assert_eq!(
        flat.len(),
        runs as usize,
        "each run claimed once: {claimed:?}"
    );
    let distinct: BTreeSet<String> = flat.into_iter().cloned().collect();
    assert_eq!(distinct, all);
}

pub fn a_run_made_ready_wakes_a_listener(db: &dyn TestDb) {
    let store = db.connect();
    let mut listener = store.ready_listener().unwrap();
    let writer = db.connect();
    let started = Instant::now();
    pending_at(writer.as_ref(), 1);
    let limit = Duration::from_secs(10);
    assert!(listener.wait(limit).unwrap(), "not woken by a pending run");
    assert!(started.elapsed() < limit);
}
