//! The audit chain's hashed fields are stored as the text that was hashed, so an edit of one
//! byte behind sop's back is caught, and a trail whose head row was deleted is reported.

use crate::pg_schema::pg_schema;
use crate::suite::{TestDb, at};
use serde_json::json;
use sop_store::{AuditEvent, AuditProblemKind, StoreExt};

#[test]
fn the_hashed_text_is_stored_byte_for_byte() {
    let db = pg_schema();
    let store = db.connect();
    let detail = json!({"b": 1.5, "a": "x\u{0}y", "z": [3, 1]});
    let entry = store
        .append_audit(&AuditEvent::new(
            at(0),
            Some("r1"),
            "alice",
            "x",
            detail.clone(),
        ))
        .unwrap();
    let mut client = db.client();
    let row = client
        .query_one("SELECT detail, at FROM audit WHERE seq = 1", &[])
        .unwrap();
    let (stored, stored_at): (String, String) = (row.get(0), row.get(1));
    assert_eq!(stored, serde_json::to_string(&detail).unwrap());
    assert_eq!(stored_at, "2025-06-02T09:00:00.000000Z");
    assert_eq!(store.audit_entries(None).unwrap(), [entry]);
    assert!(store.verify_audit().unwrap().is_ok());

    client
        .execute(
            "UPDATE audit SET detail = $1 WHERE seq = 1",
            &[&stored.replace("1.5", "1.50")],
        )
        .unwrap();
    let problem = store.verify_audit().unwrap().problem.unwrap();
    assert_eq!((problem.seq, problem.kind), (1, AuditProblemKind::Edited));
}

#[test]
fn a_deleted_head_row_is_reported_and_appends_go_on_after_the_last_entry() {
    let db = pg_schema();
    let store = db.connect();
    for i in 0..3 {
        store
            .append_audit(&AuditEvent::new(at(i), None, "a", "x", json!({})))
            .unwrap();
    }
    db.client().execute("DELETE FROM audit_head", &[]).unwrap();
    let problem = store.verify_audit().unwrap().problem.unwrap();
    assert_eq!(problem.kind, AuditProblemKind::Truncated);
    assert!(
        problem.message.contains("head record is missing"),
        "{}",
        problem.message
    );
    let next = store
        .append_audit(&AuditEvent::new(at(9), None, "a", "x", json!({})))
        .unwrap();
    assert_eq!(next.seq, 4);
    assert!(
        store.verify_audit().unwrap().is_ok(),
        "the head is written again"
    );
}
