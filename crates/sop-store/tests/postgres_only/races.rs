//! Races PostgreSQL itself settles: two transactions that lock two runs in opposite orders
//! deadlock, and PostgreSQL aborts one of them, which the caller gets as the retryable `Busy`.

use crate::pg_schema::pg_schema;
use crate::suite::{TestDb, create, new_run};
use sop_store::{Expect, RunPatch, StoreError, StoreExt};
use std::sync::Barrier;

#[test]
fn a_deadlock_is_busy_for_one_side_and_the_other_commits() {
    let db = pg_schema();
    let setup = db.connect();
    let a = create(setup.as_ref(), &new_run("a", 1)).id;
    let b = create(setup.as_ref(), &new_run("b", 1)).id;
    let barrier = Barrier::new(2);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = [(&a, &b), (&b, &a)]
            .into_iter()
            .map(|(first, second)| {
                let (barrier, db) = (&barrier, &db);
                s.spawn(move || {
                    let store = db.connect();
                    let mut waited = false;
                    store.transaction(|tx| {
                        tx.update_run(first, &Expect::unconditional(), &RunPatch::default())?;
                        // Both hold their first row before either asks for its second.
                        if !waited {
                            waited = true;
                            barrier.wait();
                        }
                        tx.update_run(second, &Expect::unconditional(), &RunPatch::default())
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let busy: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(busy.len(), 1, "{results:?}");
    assert!(
        matches!(busy[0], StoreError::Busy(m) if m.contains("deadlock")),
        "{:?}",
        busy[0]
    );
    assert!(busy[0].is_retryable());
    // The winner bumped both runs; the loser's first update was rolled back.
    assert_eq!(setup.run(&a).unwrap().version, 1);
    assert_eq!(setup.run(&b).unwrap().version, 1);
}
