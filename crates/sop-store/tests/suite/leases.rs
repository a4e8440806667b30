//! Run leases: acquire, renew, release, and taking over a lapsed one.

use super::*;
use sop_store::*;

pub fn a_lease_is_exclusive_until_it_lapses(db: &dyn TestDb) {
    let store = db.connect();
    let run = create(store.as_ref(), &new_run("a", 1));
    let id = run.id.as_str();
    let grant = store
        .transaction(|tx| tx.acquire_lease(id, "host:1:a", at(0), at(30)))
        .unwrap();
    assert_eq!(grant, LeaseGrant::Acquired);
    let r = store.run(id).unwrap();
    assert_eq!(r.lease_owner.as_deref(), Some("host:1:a"));
    assert_eq!(r.lease_expires_at, Some(at(30)));
    assert_eq!(r.version, 0, "leases do not bump the version");

    let err = store
        .transaction(|tx| tx.acquire_lease(id, "host:2:b", at(10), at(40)))
        .unwrap_err();
    match &err {
        StoreError::LeaseHeld {
            owner, expires_at, ..
        } => {
            assert_eq!(owner, "host:1:a");
            assert_eq!(*expires_at, at(30));
        }
        other => panic!("{other}"),
    }

    let again = store
        .transaction(|tx| tx.acquire_lease(id, "host:1:a", at(10), at(40)))
        .unwrap();
    assert_eq!(again, LeaseGrant::Renewed);
    store
        .transaction(|tx| tx.renew_lease(id, "host:1:a", at(60)))
        .unwrap();

    // The owner died: at its expiry the lease can be taken, and the taker is told.
    let took = store
        .transaction(|tx| tx.acquire_lease(id, "host:2:b", at(60), at(90)))
        .unwrap();
    assert_eq!(
        took,
        LeaseGrant::TookOver {
            previous_owner: "host:1:a".into(),
            lapsed_at: at(60),
        }
    );
    assert!(took.took_over());

    // The old owner wakes up and finds it has lost the lease.
    let err = store
        .transaction(|tx| tx.renew_lease(id, "host:1:a", at(120)))
        .unwrap_err();
    assert!(matches!(err, StoreError::LeaseHeld { .. }), "{err}");
    assert!(
        !store
            .transaction(|tx| tx.release_lease(id, "host:1:a"))
            .unwrap()
    );
    assert!(
        store
            .transaction(|tx| tx.release_lease(id, "host:2:b"))
            .unwrap()
    );
    let err = store
        .transaction(|tx| tx.renew_lease(id, "host:2:b", at(120)))
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let grant = store
        .transaction(|tx| tx.acquire_lease(id, "host:3:c", at(61), at(91)))
        .unwrap();
    assert_eq!(grant, LeaseGrant::Acquired);
}

pub fn leasing_a_missing_run_is_not_found(db: &dyn TestDb) {
    let store = db.connect();
    let err = store
        .transaction(|tx| tx.acquire_lease("0000000zzzzz", "me", at(0), at(1)))
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "run", .. }));
}
