//! The audit chain on a real database file, tampered with behind the store's back: every edit,
//! deletion, reordering and consistent rewrite is named, with a key and checkpoints where the
//! plain chain cannot tell.

use crate::suite::audit::append;
use crate::suite::*;
use serde_json::json;
use sop_store::*;
use std::path::Path;

pub fn tamper(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
}

fn problem(path: &Path) -> AuditProblem {
    let report = SqliteStore::open(path).unwrap().verify_audit().unwrap();
    report.problem.expect("tampering must be detected")
}

fn origin() -> StoreOptions {
    StoreOptions::default().with_origin(AuditOrigin::new("bob", "build-7"))
}

fn chain_of(n: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    let store = SqliteStore::open_with(&path, origin()).unwrap();
    append(&store, n);
    let report = store.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.entries, n as u64);
    (dir, path)
}

#[test]
fn an_edited_detail_is_named() {
    let (_dir, path) = chain_of(5);
    tamper(
        &path,
        "UPDATE audit SET detail = '{\"step\":2,\"exit_code\":1}' WHERE seq = 3",
    );
    let p = problem(&path);
    assert_eq!((p.seq, p.kind), (3, AuditProblemKind::Edited));
    assert_eq!(
        p.message,
        "audit entry 3 was altered: its content does not match its hash"
    );
}

#[test]
fn an_edited_actor_is_named() {
    let (_dir, path) = chain_of(4);
    tamper(&path, "UPDATE audit SET actor = 'mallory' WHERE seq = 4");
    assert_eq!(problem(&path).seq, 4);
}

#[test]
fn a_deleted_entry_is_named() {
    let (_dir, path) = chain_of(5);
    tamper(&path, "DELETE FROM audit WHERE seq = 2");
    let p = problem(&path);
    assert_eq!((p.seq, p.kind), (2, AuditProblemKind::Missing));
}

#[test]
fn deleting_the_newest_entries_is_detected() {
    let (_dir, path) = chain_of(5);
    tamper(&path, "DELETE FROM audit WHERE seq >= 4");
    let p = problem(&path);
    assert_eq!((p.seq, p.kind), (4, AuditProblemKind::Truncated));
    // Later appends continue after the recorded head, so the gap stays visible.
    let store = SqliteStore::open(&path).unwrap();
    let e = store
        .append_audit(&AuditEvent::new(at(9), None, "a", "x", json!({})))
        .unwrap();
    assert_eq!(e.seq, 6);
    assert_eq!(problem(&path).seq, 4);
}

#[test]
fn two_swapped_entries_are_named() {
    let (_dir, path) = chain_of(5);
    tamper(
        &path,
        "UPDATE audit SET seq = 100 WHERE seq = 2;
         UPDATE audit SET seq = 2 WHERE seq = 4;
         UPDATE audit SET seq = 4 WHERE seq = 100;",
    );
    assert_eq!(problem(&path).seq, 2);
}

#[test]
fn a_forged_but_rehashed_entry_breaks_the_link() {
    let (_dir, path) = chain_of(3);
    // Rewriting entry 2 consistently needs its hash recomputed, which breaks entry 3's link.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (at, prev): (String, String) = conn
        .query_row("SELECT at, prev_hash FROM audit WHERE seq = 2", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let detail = "{\"step\":1,\"exit_code\":0,\"forged\":true}";
    let hash = audit_chain::entry_hash(
        &audit_chain::StoredEntry {
            seq: 2,
            at: &at,
            run_id: Some("run1"),
            actor: "alice",
            os_user: Some("bob"),
            host: Some("build-7"),
            kind: "step.finished",
            detail,
            prev_hash: &prev,
            format: audit_chain::HashFormat::Sha256V2,
        },
        None,
    )
    .unwrap();
    conn.execute(
        "UPDATE audit SET detail = ?1, hash = ?2 WHERE seq = 2",
        [detail, &hash],
    )
    .unwrap();
    let p = problem(&path);
    assert_eq!((p.seq, p.kind), (3, AuditProblemKind::BrokenLink));
}

#[test]
fn changing_any_field_of_any_entry_names_that_entry() {
    let columns = [
        ("at", "'2030-01-01T00:00:00.000000Z'"),
        ("run_id", "NULL"),
        ("actor", "'mallory'"),
        ("kind", "'run.created'"),
        ("detail", "'{}'"),
        ("os_user", "'mallory'"),
        ("host", "NULL"),
        ("format", "1"),
        ("prev_hash", "'00'"),
        ("hash", "'00'"),
    ];
    for seq in 1..=4 {
        for (column, value) in columns {
            let (_dir, path) = chain_of(4);
            tamper(
                &path,
                &format!("UPDATE audit SET {column} = {value} WHERE seq = {seq}"),
            );
            let p = problem(&path);
            assert_eq!(p.seq, seq, "{column} of entry {seq}: {p:?}");
        }
    }
}
