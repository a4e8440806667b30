//! Facts (with expiry against a given instant) and received events.

use super::*;
use serde_json::json;
use sop_store::*;

pub(super) fn fact(name: &str, value: serde_json::Value, expires: Option<i64>) -> Fact {
    Fact {
        name: name.into(),
        value,
        set_at: at(0),
        expires_at: expires.map(at),
        set_by: "ci".into(),
    }
}

pub fn facts_are_case_insensitive_upserted_and_expire(db: &dyn TestDb) {
    let store = db.connect();
    let set = store
        .transaction(|tx| {
            tx.set_fact(
                &fact("Tests_Passed", json!(true), Some(3600)),
                FactValues::Shown,
            )
        })
        .unwrap();
    assert_eq!(set.name, "tests_passed");
    assert_eq!(
        store.fact("TESTS_PASSED", at(10)).unwrap().unwrap().value,
        json!(true)
    );
    assert_eq!(store.fact("tests_passed", at(3600)).unwrap(), None);

    store
        .transaction(|tx| tx.set_fact(&fact("tests_passed", json!("no"), None), FactValues::Shown))
        .unwrap();
    store
        .transaction(|tx| {
            tx.set_fact(
                &fact("env", json!({"region": "eu"}), Some(5)),
                FactValues::Shown,
            )
        })
        .unwrap();
    let live = store.facts(at(1)).unwrap();
    assert_eq!(
        live.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["env", "tests_passed"]
    );
    assert_eq!(live[1].value, json!("no"));
    assert_eq!(store.facts(at(5)).unwrap().len(), 1);

    let unset = |name: &str| {
        store
            .transaction(|tx| tx.unset_fact(name, "ci", at(1), FactValues::Shown))
            .unwrap()
    };
    assert!(unset("ENV"));
    assert!(!unset("env"));
}

pub fn events_list_in_order_by_name_and_after_an_id(db: &dyn TestDb) {
    let store = db.connect();
    let mut ids = Vec::new();
    for (i, name) in ["deploy.failed", "alert", "deploy.failed"]
        .iter()
        .enumerate()
    {
        let e = store
            .transaction(|tx| {
                tx.insert_event(&NewEvent {
                    name: (*name).into(),
                    source: Some("/hook".into()),
                    payload: json!({"n": i}),
                    received_at: at(i as i64),
                })
            })
            .unwrap();
        ids.push(e.id);
    }
    let all = store.events(&EventFilter::default()).unwrap();
    assert_eq!(all.iter().map(|e| e.id).collect::<Vec<_>>(), ids);
    let failed = store
        .events(&EventFilter {
            name: Some("deploy.failed".into()),
            after_id: Some(ids[0]),
            limit: 10,
            newest_first: false,
        })
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].payload, json!({"n": 2}));
    assert_eq!(failed[0].received_at, at(2));
}
