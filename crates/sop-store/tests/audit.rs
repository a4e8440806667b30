//! The audit chain on a real database file: appends, verification, tampering behind the store's
//! back, and pruning that keeps the chain verifiable.

mod common;

use common::*;
use serde_json::json;
use sop_core::run::{RunStatus, StepStatus};
use sop_store::*;
use std::path::Path;

fn append(store: &SqliteStore, n: usize) -> Vec<AuditEntry> {
    (0..n)
        .map(|i| {
            store
                .append_audit(&AuditEvent::new(
                    at(i as i64),
                    Some("run1"),
                    "alice",
                    "step.finished",
                    json!({"step": i, "exit_code": 0}),
                ))
                .unwrap()
        })
        .collect()
}

fn tamper(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
}

fn problem(path: &Path) -> AuditProblem {
    let report = SqliteStore::open(path).unwrap().verify_audit().unwrap();
    report.problem.expect("tampering must be detected")
}

fn chain_of(n: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    let store = SqliteStore::open(&path).unwrap();
    append(&store, n);
    let report = store.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.entries, n as u64);
    (dir, path)
}

#[test]
fn entries_chain_and_read_back() {
    let store = memory();
    let entries = append(&store, 3);
    assert_eq!(entries[0].seq, 1);
    assert_eq!(entries[0].prev_hash, audit_chain::GENESIS_HASH);
    assert_eq!(entries[1].prev_hash, entries[0].hash);
    assert_eq!(store.audit_entries(None).unwrap(), entries);
    store
        .append_audit(&AuditEvent::new(at(9), None, "bob", "fact.set", json!({})))
        .unwrap();
    assert_eq!(store.audit_entries(Some("run1")).unwrap().len(), 3);
    assert_eq!(store.audit_entries(None).unwrap().len(), 4);
    assert!(store.verify_audit().unwrap().is_ok());
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
    let e = append(&store, 1).remove(0);
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
    let hash = audit_chain::entry_hash(&audit_chain::StoredEntry {
        seq: 2,
        at: &at,
        run_id: Some("run1"),
        actor: "alice",
        kind: "step.finished",
        detail,
        prev_hash: &prev,
    });
    conn.execute(
        "UPDATE audit SET detail = ?1, hash = ?2 WHERE seq = 2",
        [detail, &hash],
    )
    .unwrap();
    let p = problem(&path);
    assert_eq!((p.seq, p.kind), (3, AuditProblemKind::BrokenLink));
}

#[test]
fn prune_removes_details_of_old_finished_runs_only() {
    let store = memory();
    let old = create(&store, &new_run("a", 2));
    let mut recent_new = new_run("a", 1);
    recent_new.created_at = at(86_400 * 100);
    let recent = create(&store, &recent_new);
    let active = create(&store, &new_run("a", 1));
    for run in [&old, &recent] {
        let finished_at = run.created_at + chrono::Duration::seconds(10);
        store
            .transaction(|tx| {
                tx.update_step(
                    &run.id,
                    1,
                    &StepPatch {
                        status: Some(StepStatus::Succeeded),
                        output: Some(StepOutput {
                            tail: b"secret-ish output".to_vec(),
                            total_size: 17,
                            sha256: Some("ff".repeat(32)),
                        }),
                        ..StepPatch::default()
                    },
                )?;
                tx.update_run(
                    &run.id,
                    &Expect::version(0),
                    &RunPatch::status(RunStatus::Succeeded).with_finished_at(finished_at),
                )?;
                tx.audit(&AuditEvent::new(
                    finished_at,
                    Some(&run.id),
                    "engine",
                    "run.finished",
                    json!({"status": "succeeded"}),
                ))
            })
            .unwrap();
    }
    let report = store
        .transaction(|tx| tx.prune(at(86_400 * 90), at(86_400 * 200)))
        .unwrap();
    assert_eq!(report.runs, 1);
    assert_eq!(report.steps, 2);

    let pruned = store.run(&old.id).unwrap();
    assert_eq!(pruned.definition_snapshot, None);
    assert_eq!(pruned.variables, serde_json::Value::Null);
    assert_eq!(pruned.pruned_at, Some(at(86_400 * 200)));
    assert_eq!(pruned.status, RunStatus::Succeeded);
    let step = store.step(&old.id, 1).unwrap();
    assert!(step.output_tail.is_empty());
    assert_eq!(
        step.output_sha256,
        Some("ff".repeat(32)),
        "the hash stays as evidence"
    );

    assert!(store.run(&recent.id).unwrap().definition_snapshot.is_some());
    assert!(!store.step(&recent.id, 1).unwrap().output_tail.is_empty());
    assert!(store.run(&active.id).unwrap().definition_snapshot.is_some());
    assert_eq!(store.audit_entries(None).unwrap().len(), 2);
    assert!(store.verify_audit().unwrap().is_ok());

    let again = store
        .transaction(|tx| tx.prune(at(86_400 * 90), at(86_400 * 201)))
        .unwrap();
    assert_eq!(again.runs, 0);
}

#[test]
fn changing_any_field_of_any_entry_names_that_entry() {
    let columns = [
        ("at", "'2030-01-01T00:00:00.000000Z'"),
        ("run_id", "NULL"),
        ("actor", "'mallory'"),
        ("kind", "'run.created'"),
        ("detail", "'{}'"),
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
