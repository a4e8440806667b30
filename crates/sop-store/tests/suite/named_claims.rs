//! Named claims: a duty one process of several sharing the database performs at a time (the
//! Telegram poller), held until it lapses or is released, and taken by one of several racing.

use super::*;
use sop_store::StoreExt;
use std::sync::{Arc, Barrier};

const NAME: &str = "telegram-poller";

fn take(store: &dyn Store, owner: &str, now: i64, until: i64) -> bool {
    store
        .transaction(|tx| tx.take_claim(NAME, owner, at(now), at(until)))
        .unwrap()
}

pub fn a_claim_is_held_by_one_owner_until_it_lapses_or_is_released(db: &dyn TestDb) {
    let store = db.connect();
    let store = store.as_ref();
    assert!(take(store, "a/1/x", 0, 60), "a free claim is taken");
    assert!(!take(store, "b/2/y", 10, 70), "a live claim is another's");
    assert!(take(store, "a/1/x", 30, 90), "its owner renews it");
    assert!(!take(store, "b/2/y", 60, 120), "renewed: not lapsed at 60");
    let other = store
        .transaction(|tx| tx.take_claim("another-duty", "b/2/y", at(60), at(120)))
        .unwrap();
    assert!(other, "claims of other names are apart");
    assert!(take(store, "b/2/y", 90, 150), "lapsed at 90: taken over");
    assert!(!take(store, "a/1/x", 91, 151), "the old owner lost it");

    let release = |owner: &str| {
        store
            .transaction(|tx| tx.release_claim(NAME, owner))
            .unwrap()
    };
    assert!(!release("a/1/x"), "only the owner releases");
    assert!(!take(store, "a/1/x", 92, 152));
    assert!(release("b/2/y"));
    assert!(
        take(store, "a/1/x", 93, 153),
        "a released claim is taken at once"
    );
}

pub fn of_racing_takers_exactly_one_gets_a_free_or_lapsed_claim(db: &dyn TestDb) {
    let threads = 6;
    for (now, until) in [(0, 60), (60, 120)] {
        let barrier = Arc::new(Barrier::new(threads));
        let won: Vec<bool> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|n| {
                    let store = db.connect();
                    let barrier = Arc::clone(&barrier);
                    s.spawn(move || {
                        barrier.wait();
                        // `Busy` is a lost race the caller retries, as the poller does.
                        loop {
                            match store.transaction(|tx| {
                                tx.take_claim(NAME, &format!("node/{n}/{now}"), at(now), at(until))
                            }) {
                                Ok(won) => return won,
                                Err(e) if e.is_retryable() => continue,
                                Err(e) => panic!("take by node {n}: {e}"),
                            }
                        }
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(
            won.iter().filter(|w| **w).count(),
            1,
            "one taker at {now}: {won:?}"
        );
    }
}
