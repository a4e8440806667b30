//! What the plain chain cannot tell on its own, on a real file: a consistent rewrite, a
//! truncation or an emptied file (caught by checkpoints), a forged keyed entry (caught with the
//! key), a back-dated entry, and damaged pages (caught by the integrity check).

use super::tamper::tamper;
use crate::suite::audit::{append, key};
use crate::suite::*;
use sop_store::audit_chain::{HashFormat, StoredEntry, entry_hash};
use sop_store::*;
use std::path::{Path, PathBuf};

fn db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    (dir, path)
}

/// An audit row's hashed text columns, as stored.
type Row = (
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
);

/// Rewrites entry `seq`'s detail and rehashes it and every later entry (and the head) the way
/// someone with write access but without a key can.
fn rewrite_consistently(path: &Path, seq: i64, format: HashFormat) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let rows: Vec<Row> = conn
        .prepare("SELECT seq, at, run_id, actor, os_user, host, kind, detail FROM audit WHERE seq >= ?1 ORDER BY seq")
        .unwrap()
        .query_map([seq], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev: String = conn
        .query_row("SELECT prev_hash FROM audit WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .unwrap();
    for (s, at, run_id, actor, os_user, host, kind, detail) in rows {
        let detail = if s == seq {
            "{\"forged\":true}".to_owned()
        } else {
            detail
        };
        let hash = entry_hash(
            &StoredEntry {
                seq: s as u64,
                at: &at,
                run_id: run_id.as_deref(),
                actor: &actor,
                os_user: os_user.as_deref(),
                host: host.as_deref(),
                kind: &kind,
                detail: &detail,
                prev_hash: &prev,
                format,
            },
            None,
        )
        .unwrap();
        conn.execute(
            "UPDATE audit SET detail = ?1, prev_hash = ?2, hash = ?3, format = ?4 WHERE seq = ?5",
            rusqlite::params![detail, prev, hash, format.code(), s],
        )
        .unwrap();
        conn.execute("UPDATE audit_head SET hash = ?1", [&hash])
            .unwrap();
        prev = hash;
    }
}

fn verify(path: &Path, options: StoreOptions, checkpoints: &[AuditCheckpoint]) -> VerifyReport {
    SqliteStore::open_with(path, options)
        .unwrap()
        .verify_audit_with(checkpoints)
        .unwrap()
}

#[test]
fn a_consistent_rewrite_passes_the_chain_but_not_a_checkpoint() {
    let (_dir, path) = db();
    let store = SqliteStore::open(&path).unwrap();
    append(&store, 3);
    let checkpoint = store.audit_head().unwrap().unwrap();
    append(&store, 2);
    drop(store);
    rewrite_consistently(&path, 2, HashFormat::Sha256V2);
    assert!(verify(&path, StoreOptions::default(), &[]).is_ok());
    let p = verify(&path, StoreOptions::default(), &[checkpoint])
        .problem
        .unwrap();
    assert_eq!((p.seq, p.kind), (3, AuditProblemKind::CheckpointMismatch));
}

#[test]
fn a_keyed_entry_cannot_be_forged_without_the_key() {
    let (_dir, path) = db();
    let keyed = || StoreOptions::default().with_audit_key(key(1));
    append(&SqliteStore::open_with(&path, keyed()).unwrap(), 4);

    // Rehashed as a plain entry: the chain is keyed from entry 1, so that is refused outright.
    rewrite_consistently(&path, 3, HashFormat::Sha256V2);
    let p = verify(&path, StoreOptions::default(), &[]).problem.unwrap();
    assert_eq!((p.seq, p.kind), (3, AuditProblemKind::Unkeyed));

    // Still marked keyed but hashed without the key: only the key tells.
    let (_dir, path) = db();
    append(&SqliteStore::open_with(&path, keyed()).unwrap(), 4);
    tamper(
        &path,
        "UPDATE audit SET detail = '{\"forged\":true}' WHERE seq = 3",
    );
    let without = verify(&path, StoreOptions::default(), &[]);
    assert!(without.is_ok(), "{without:?}");
    assert_eq!(without.unchecked, 4);
    let p = verify(&path, keyed(), &[]).problem.unwrap();
    assert_eq!((p.seq, p.kind), (3, AuditProblemKind::Edited));
}

#[test]
fn an_emptied_or_zeroed_file_is_caught_by_a_checkpoint_only() {
    let (_dir, path) = db();
    let store = SqliteStore::open(&path).unwrap();
    append(&store, 3);
    let checkpoint = store.audit_head().unwrap().unwrap();
    drop(store);
    tamper(&path, "DELETE FROM audit; DELETE FROM audit_head;");
    assert!(verify(&path, StoreOptions::default(), &[]).is_ok());
    let p = verify(
        &path,
        StoreOptions::default(),
        std::slice::from_ref(&checkpoint),
    )
    .problem
    .unwrap();
    assert_eq!((p.seq, p.kind), (1, AuditProblemKind::Truncated));

    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(&file);
    }
    std::fs::write(&path, b"").unwrap();
    let report = verify(&path, StoreOptions::default(), &[checkpoint]);
    assert_eq!(report.entries, 0);
    assert_eq!(report.problem.unwrap().kind, AuditProblemKind::Truncated);
}

#[test]
fn a_back_dated_entry_is_named() {
    let (_dir, path) = db();
    append(&SqliteStore::open(&path).unwrap(), 4);
    tamper(
        &path,
        "UPDATE audit SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 3",
    );
    // Rehash entry 3 and on so that only the date is wrong.
    rewrite_consistently(&path, 3, HashFormat::Sha256V2);
    let p = verify(&path, StoreOptions::default(), &[]).problem.unwrap();
    assert_eq!((p.seq, p.kind), (3, AuditProblemKind::TimeReversed));
}

#[test]
fn damaged_pages_are_reported_even_with_an_intact_chain() {
    let (_dir, path) = db();
    let store = SqliteStore::open(&path).unwrap();
    for i in 0..200 {
        let mut run = new_run(&format!("sop{i}"), 3);
        run.definition_snapshot = "x".repeat(3000);
        create(&store, &run);
    }
    append(&store, 3);
    drop(store);
    // Move everything into the main file, then zero pages in its middle: the runs' big rows
    // fill most of it, while the schema and the audit chain sit in its first and last pages.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    drop(conn);
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    let start = bytes.len() / page / 2 * page;
    bytes[start..start + 4 * page].fill(0);
    std::fs::write(&path, bytes).unwrap();

    let report = SqliteStore::open(&path).unwrap().verify_audit().unwrap();
    assert!(!report.storage.is_empty(), "{report:?}");
    assert!(!report.is_ok());
}
