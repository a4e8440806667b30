//! The audit chain through the traits: appends and reads, time order, the writer's identity,
//! keys, checkpoints, and pruning that keeps the chain verifiable.

use super::*;
use serde_json::json;
use sop_core::run::{RunStatus, StepStatus};
use sop_store::*;

/// Appends `n` entries, one second apart, continuing after the newest (the trail never goes
/// back in time): entry `seq` is dated `at(seq - 1)`.
pub fn append(store: &dyn Store, n: usize) -> Vec<AuditEntry> {
    let base = store.audit_head().unwrap().map_or(0, |h| h.seq as i64);
    (0..n)
        .map(|i| {
            store
                .append_audit(&AuditEvent::new(
                    at(base + i as i64),
                    Some("run1"),
                    "alice",
                    "step.finished",
                    json!({"step": i, "exit_code": 0}),
                ))
                .unwrap()
        })
        .collect()
}

pub fn key(byte: u8) -> AuditKey {
    AuditKey::from_bytes(vec![byte; 32]).unwrap()
}

pub fn entries_chain_and_read_back(db: &dyn TestDb) {
    let store = db.connect();
    let entries = append(store.as_ref(), 3);
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

pub fn several_entries_in_one_transaction_chain(db: &dyn TestDb) {
    let store = db.connect();
    let written = store
        .transaction(|tx| {
            let a = tx.audit(&AuditEvent::new(at(1), None, "a", "x", json!({})))?;
            let b = tx.audit(&AuditEvent::new(at(1), None, "a", "y", json!({})))?;
            Ok((a, b))
        })
        .unwrap();
    assert_eq!((written.0.seq, written.1.seq), (1, 2));
    assert_eq!(written.1.prev_hash, written.0.hash);
    let head = store.audit_head().unwrap().unwrap();
    assert_eq!((head.seq, &head.hash, head.at), (2, &written.1.hash, at(1)));
    let next = append(store.as_ref(), 3).remove(2);
    assert_eq!(next.seq, 5);
    assert!(store.verify_audit().unwrap().is_ok());
}

pub fn an_entry_earlier_than_the_newest_is_refused(db: &dyn TestDb) {
    let store = db.connect();
    append(store.as_ref(), 3);
    let last_year = at(2) - chrono::Duration::days(365);
    let err = store
        .append_audit(&AuditEvent::new(last_year, None, "mallory", "x", json!({})))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::AuditTimeReversed { at: a, newest } if a == last_year && newest == at(2)),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("never goes back in time"), "{err}");
    assert_eq!(store.audit_entries(None).unwrap().len(), 3);
}

pub fn an_entry_that_waited_for_the_lock_is_dated_at_the_newest(db: &dyn TestDb) {
    let store = db.connect();
    append(store.as_ref(), 3);
    // Its writer read the clock a moment before another writer's entry was committed.
    let e = store
        .append_audit(&AuditEvent::new(at(1), None, "a", "x", json!({})))
        .unwrap();
    assert_eq!(e.at, at(2));
    assert_eq!(store.audit_entries(None).unwrap()[3].at, at(2));
    assert!(store.verify_audit().unwrap().is_ok());
}

pub fn entries_record_the_writers_account_and_host(db: &dyn TestDb) {
    let origin = AuditOrigin::new("bob", "build-7");
    let store = db.open(StoreOptions::default().with_origin(origin));
    let e = store
        .append_audit(&AuditEvent::new(at(0), None, "alice", "x", json!({})))
        .unwrap();
    assert_eq!(
        (e.os_user.as_deref(), e.host.as_deref()),
        (Some("bob"), Some("build-7"))
    );
    assert_eq!(e.claimed_by().as_deref(), Some("bob@build-7"));
    assert_eq!(store.audit_entries(None).unwrap(), [e]);
    let same = db.open(StoreOptions::default().with_origin(AuditOrigin::new("alice", "h")));
    let e = same
        .append_audit(&AuditEvent::new(at(1), None, "alice", "x", json!({})))
        .unwrap();
    assert_eq!(e.claimed_by(), None);
    let unknown = db.connect();
    let e = unknown
        .append_audit(&AuditEvent::new(at(2), None, "alice", "x", json!({})))
        .unwrap();
    assert_eq!((e.os_user.as_deref(), e.claimed_by()), (None, None));
    assert!(unknown.verify_audit().unwrap().is_ok());
}

pub fn a_keyed_chain_verifies_with_its_key_and_says_what_it_cannot_check_without(db: &dyn TestDb) {
    append(db.connect().as_ref(), 2);
    let keyed = db.open(StoreOptions::default().with_audit_key(key(1)));
    append(keyed.as_ref(), 5);
    let report = keyed.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(
        (report.entries, report.keyed_from, report.unchecked),
        (7, Some(3), 0)
    );

    let plain = db.connect();
    let report = plain.verify_audit().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!((report.keyed_from, report.unchecked), (Some(3), 5));
    // Without the key nothing more can be appended: the chain would lose its keying.
    let err = plain
        .append_audit(&AuditEvent::new(at(9), None, "a", "x", json!({})))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::AuditKeyRequired { from_seq: 3, .. }),
        "{err:?}"
    );

    let other = db.open(StoreOptions::default().with_audit_key(key(2)));
    let err = other
        .append_audit(&AuditEvent::new(at(9), None, "a", "x", json!({})))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::AuditKeyMismatch { .. }),
        "{err:?}"
    );
    let report = other.verify_audit().unwrap();
    assert_eq!(report.problem.unwrap().kind, AuditProblemKind::WrongKey);
}

pub fn checkpoints_match_an_untouched_trail(db: &dyn TestDb) {
    let store = db.connect();
    assert_eq!(store.audit_head().unwrap(), None);
    append(store.as_ref(), 2);
    let first = store.audit_head().unwrap().unwrap();
    append(store.as_ref(), 4);
    let second = store.audit_head().unwrap().unwrap();
    assert_eq!((first.seq, second.seq), (2, 6));
    assert_eq!(second.at, at(5));
    let report = store.verify_audit_with(&[first.clone(), second]).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.checkpoints, 2);

    // A checkpoint of another trail (or of this one before it was replaced) does not match.
    let forged = AuditCheckpoint {
        hash: "0".repeat(64),
        ..first
    };
    let p = store.verify_audit_with(&[forged]).unwrap().problem.unwrap();
    assert_eq!((p.seq, p.kind), (2, AuditProblemKind::CheckpointMismatch));
}

pub fn an_empty_trail_is_caught_only_by_a_checkpoint(db: &dyn TestDb) {
    let store = db.connect();
    assert!(store.verify_audit().unwrap().is_ok());
    let earlier = AuditCheckpoint {
        seq: 7,
        hash: "ab".repeat(32),
        at: at(0),
    };
    let report = store.verify_audit_with(&[earlier]).unwrap();
    let p = report.problem.unwrap();
    assert_eq!((p.seq, p.kind), (1, AuditProblemKind::Truncated));
    assert!(p.message.contains("entry 7"), "{}", p.message);
}

pub fn prune_removes_details_of_old_finished_runs_only(db: &dyn TestDb) {
    let store = db.connect();
    let old = create(store.as_ref(), &new_run("a", 2));
    let mut recent_new = new_run("a", 1);
    recent_new.created_at = at(86_400 * 100);
    let recent = create(store.as_ref(), &recent_new);
    let active = create(store.as_ref(), &new_run("a", 1));
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
