//! Fact changes are audited in the transaction that makes them: set, unset and expiry, with the
//! old and new value, or `[redacted]` when the caller says the fact is secret.

use super::facts_events::fact;
use super::*;
use serde_json::json;
use sop_store::*;

fn trail(store: &dyn Store) -> Vec<(String, String, serde_json::Value)> {
    store
        .audit_entries(None)
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.actor, e.detail))
        .collect()
}

pub fn set_and_unset_record_who_and_what_changed(db: &dyn TestDb) {
    let store = db.connect();
    store
        .transaction(|tx| tx.set_fact(&fact("Deploy.OK", json!(false), None), FactValues::Shown))
        .unwrap();
    let mut again = fact("deploy.ok", json!(true), None);
    again.set_at = at(5);
    again.set_by = "alice".into();
    store
        .transaction(|tx| tx.set_fact(&again, FactValues::Shown))
        .unwrap();
    assert!(
        store
            .transaction(|tx| tx.unset_fact("deploy.ok", "bob", at(9), FactValues::Shown))
            .unwrap()
    );
    let entries = store.audit_entries(None).unwrap();
    assert!(entries.iter().all(|e| e.run_id.is_none()));
    assert_eq!(entries[2].at, at(9));
    assert_eq!(
        trail(store.as_ref()),
        [
            (
                "fact.set".into(),
                "ci".into(),
                json!({"name": "deploy.ok", "old": null, "new": false, "expires_at": null})
            ),
            (
                "fact.set".into(),
                "alice".into(),
                json!({"name": "deploy.ok", "old": false, "new": true, "expires_at": null})
            ),
            (
                "fact.unset".into(),
                "bob".into(),
                json!({"name": "deploy.ok", "old": true, "new": null})
            ),
        ]
    );
    assert!(store.verify_audit().unwrap().is_ok());
}

pub fn a_failed_fact_transaction_leaves_neither_fact_nor_entry(db: &dyn TestDb) {
    let store = db.connect();
    let err = store
        .transaction(|tx| {
            tx.set_fact(&fact("x", json!(1), None), FactValues::Shown)?;
            Err::<(), _>(StoreError::abort(std::fmt::Error))
        })
        .unwrap_err();
    assert!(err.aborted::<std::fmt::Error>().is_some());
    assert_eq!(store.fact("x", at(0)).unwrap(), None);
    assert!(store.audit_entries(None).unwrap().is_empty());
}

pub fn secret_values_are_redacted(db: &dyn TestDb) {
    let store = db.connect();
    store
        .transaction(|tx| {
            tx.set_fact(
                &fact("db_password", json!("hunter2"), None),
                FactValues::Redacted,
            )
        })
        .unwrap();
    fn hide_token(v: &serde_json::Value) -> serde_json::Value {
        let mut v = v.clone();
        v["token"] = json!(REDACTED);
        v
    }
    let mut nested = fact("svc", json!({"token": "t0k3n", "url": "u"}), None);
    nested.set_at = at(1);
    store
        .transaction(|tx| tx.set_fact(&nested, FactValues::Filtered(hide_token)))
        .unwrap();
    store
        .transaction(|tx| tx.unset_fact("db_password", "ci", at(2), FactValues::Redacted))
        .unwrap();
    let text = serde_json::to_string(&store.audit_entries(None).unwrap()).unwrap();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(!text.contains("t0k3n"), "{text}");
    let t = trail(store.as_ref());
    assert_eq!(t[0].2["new"], json!(REDACTED));
    assert_eq!(t[1].2["new"], json!({"token": REDACTED, "url": "u"}));
    assert_eq!(t[2].2["old"], json!(REDACTED));
    // The fact itself keeps its value: only the trail hides it.
    assert_eq!(
        store.fact("svc", at(1)).unwrap().unwrap().value["token"],
        "t0k3n"
    );
}

pub fn expiry_is_recorded_when_the_store_next_touches_facts(db: &dyn TestDb) {
    let store = db.connect();
    store
        .transaction(|tx| {
            tx.set_fact(&fact("window", json!(true), Some(60)), FactValues::Shown)?;
            tx.set_fact(&fact("lasting", json!(1), None), FactValues::Shown)
        })
        .unwrap();
    let none = store
        .transaction(|tx| tx.expire_facts(at(59), &|_| FactValues::Shown))
        .unwrap();
    assert!(none.is_empty());
    let expired = store
        .transaction(|tx| tx.expire_facts(at(61), &|_| FactValues::Shown))
        .unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].name, "window");
    let (kind, actor, detail) = trail(store.as_ref()).pop().unwrap();
    assert_eq!((kind.as_str(), actor.as_str()), ("fact.expired", "sop"));
    assert_eq!(detail["old"], json!(true));
    assert_eq!(detail["expired_at"], json!("2025-06-02T09:01:00Z"));
    assert_eq!(store.facts(at(0)).unwrap().len(), 1, "removed for good");

    // Setting over an expired fact records its expiry first; unsetting one is "not set".
    let mut soon = fact("soon", json!(1), Some(70));
    soon.set_at = at(61);
    store
        .transaction(|tx| tx.set_fact(&soon, FactValues::Shown))
        .unwrap();
    let mut over = fact("soon", json!(2), None);
    over.set_at = at(80);
    store
        .transaction(|tx| tx.set_fact(&over, FactValues::Shown))
        .unwrap();
    let kinds: Vec<String> = trail(store.as_ref()).into_iter().map(|t| t.0).collect();
    assert_eq!(kinds[kinds.len() - 2..], ["fact.expired", "fact.set"]);
    assert_eq!(trail(store.as_ref()).pop().unwrap().2["old"], json!(null));
    assert!(store.verify_audit().unwrap().is_ok());
}
