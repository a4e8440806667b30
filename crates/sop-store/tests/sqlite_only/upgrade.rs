//! A database written by the previous schema keeps verifying after the upgrade: its entries were
//! hashed without the writer's identity, and stay checkable as they were hashed.

use crate::suite::*;
use serde_json::json;
use sop_store::audit_chain::{GENESIS_HASH, HashFormat, StoredEntry, entry_hash};
use sop_store::*;

const V1: &str = include_str!("../../migrations/0001_init.sql");

#[test]
fn entries_written_before_the_upgrade_still_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(V1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        let mut prev = GENESIS_HASH.to_owned();
        for seq in 1..=3u64 {
            let at = format!("2025-06-02T09:00:0{seq}.000000Z");
            let entry = StoredEntry {
                seq,
                at: &at,
                run_id: None,
                actor: "alice",
                os_user: None,
                host: None,
                kind: "fact.set",
                detail: "{}",
                prev_hash: &prev,
                format: HashFormat::Sha256V1,
            };
            let hash = entry_hash(&entry, None).unwrap();
            conn.execute(
                "INSERT INTO audit (seq, at, run_id, actor, kind, detail, prev_hash, hash) \
                 VALUES (?1, ?2, NULL, 'alice', 'fact.set', '{}', ?3, ?4)",
                rusqlite::params![seq as i64, at, prev, hash],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2) \
                 ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                rusqlite::params![seq as i64, hash],
            )
            .unwrap();
            prev = hash;
        }
    }
    let store = SqliteStore::open_with(
        &path,
        StoreOptions::default().with_origin(AuditOrigin::new("bob", "h")),
    )
    .unwrap();
    let head = store.audit_head().unwrap().unwrap();
    assert_eq!((head.seq, head.at), (3, at(3)));
    // An entry dated before the last old one is refused: the head's time came over too.
    assert!(
        store
            .append_audit(&AuditEvent::new(at(-60), None, "a", "x", json!({})))
            .is_err()
    );
    let e = store
        .append_audit(&AuditEvent::new(at(4), None, "alice", "x", json!({})))
        .unwrap();
    assert_eq!((e.seq, e.os_user.as_deref()), (4, Some("bob")));
    let report = store.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.entries, 4);
    let old = &store.audit_entries(None).unwrap()[0];
    assert_eq!((old.os_user.as_ref(), old.claimed_by()), (None, None));
}
