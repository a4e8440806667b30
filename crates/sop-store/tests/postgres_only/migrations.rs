//! Migrations: applied once however many nodes start at the same moment, and a database
//! migrated by a newer sop is refused.

use crate::pg_schema::pg_schema;
use sop_store::{POSTGRES_SCHEMA_VERSION, PostgresStore, StoreError, StoreOptions};
use std::sync::Barrier;

#[test]
fn nodes_starting_together_migrate_once() {
    let db = pg_schema();
    let nodes = 6;
    let barrier = Barrier::new(nodes);
    let opened: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..nodes)
            .map(|_| {
                let (barrier, url) = (&barrier, db.url());
                s.spawn(move || {
                    barrier.wait();
                    PostgresStore::open_with(url, StoreOptions::default()).map(|_| ())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(opened.iter().all(Result::is_ok), "{opened:?}");
    let rows = db
        .client()
        .query("SELECT version FROM sop_migrations ORDER BY version", &[])
        .unwrap();
    let versions: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    // Versions need not be contiguous (changes made side by side take their own numbers); each
    // known one is applied once.
    assert_eq!(versions.first(), Some(&1), "{versions:?}");
    assert_eq!(
        versions.last(),
        Some(&POSTGRES_SCHEMA_VERSION),
        "{versions:?}"
    );
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
}

#[test]
fn a_version_missing_below_the_highest_is_applied() {
    let db = pg_schema();
    PostgresStore::open(db.url()).unwrap();
    // As if the database came from a build that knew the highest migration but not version 2.
    db.client()
        .batch_execute(
            "DROP TABLE api_tokens; DROP TABLE servers; DROP TABLE deliveries; \
             DELETE FROM sop_migrations WHERE version = 2",
        )
        .unwrap();
    PostgresStore::open(db.url()).unwrap();
    let n: i64 = db
        .client()
        .query_one("SELECT count(*) FROM api_tokens", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
}

#[test]
fn a_schema_from_a_newer_sop_is_refused() {
    let db = pg_schema();
    PostgresStore::open(db.url()).unwrap();
    db.client()
        .execute(
            "INSERT INTO sop_migrations (version) VALUES ($1)",
            &[&(POSTGRES_SCHEMA_VERSION + 1)],
        )
        .unwrap();
    let err = PostgresStore::open(db.url()).err().unwrap();
    assert!(
        matches!(err, StoreError::NewerSchema { found, .. } if found == POSTGRES_SCHEMA_VERSION + 1),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade sop"), "{err}");
}
