//! What a server keeps: API token hashes, heartbeats, delivery keys, and the runs to pick up.

use super::*;
use sop_store::{ConsoleSession, Delivery, NewApiToken, ServerBeat, StoreError, StoreExt};

fn token(id: &str, hash: &str) -> NewApiToken {
    NewApiToken {
        id: id.into(),
        hash: hash.into(),
        user: "alice".into(),
        scopes: vec!["read".into(), "run".into()],
        created_at: at(0),
        created_by: "admin".into(),
        expires_at: Some(at(3600)),
    }
}

pub fn api_tokens_are_found_by_hash_revoked_and_never_duplicated(db: &dyn TestDb) {
    let store = db.connect();
    store
        .transaction(|tx| tx.insert_api_token(&token("t1", "h1")))
        .unwrap();
    let found = store.api_token_by_hash("h1").unwrap().unwrap();
    assert_eq!(found.user, "alice");
    assert_eq!(found.scopes, ["read", "run"]);
    assert!(found.is_live(at(10)));
    assert!(!found.is_live(at(3600)));
    assert!(store.api_token_by_hash("h2").unwrap().is_none());
    let dup = store.transaction(|tx| tx.insert_api_token(&token("t1", "h9")));
    assert!(matches!(dup, Err(StoreError::AlreadyExists { .. })));
    let revoked = store
        .transaction(|tx| tx.revoke_api_token("t1", at(5)))
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(at(5)));
    assert!(!revoked.is_live(at(6)));
    let missing = store.transaction(|tx| tx.revoke_api_token("nope", at(5)));
    assert!(matches!(missing, Err(StoreError::NotFound { .. })));
    let json = serde_json::to_string(&store.api_tokens().unwrap()).unwrap();
    assert!(!json.contains("h1"), "the hash is never serialised: {json}");
}

pub fn a_server_is_live_while_it_beats_and_until_it_stops(db: &dyn TestDb) {
    let store = db.connect();
    let mut beat = ServerBeat {
        id: "host/1/a".into(),
        host: "host".into(),
        pid: 1,
        listen: "127.0.0.1:8080".into(),
        started_at: at(0),
        heartbeat_at: at(0),
        stopped_at: None,
    };
    store.transaction(|tx| tx.server_beat(&beat)).unwrap();
    assert_eq!(store.live_servers(at(-5)).unwrap().len(), 1);
    assert!(store.live_servers(at(1)).unwrap().is_empty());
    beat.heartbeat_at = at(10);
    store.transaction(|tx| tx.server_beat(&beat)).unwrap();
    assert_eq!(store.live_servers(at(5)).unwrap()[0].heartbeat_at, at(10));
    beat.stopped_at = Some(at(11));
    store.transaction(|tx| tx.server_beat(&beat)).unwrap();
    assert!(store.live_servers(at(5)).unwrap().is_empty());
    assert_eq!(
        store.transaction(|tx| tx.forget_servers(at(20))).unwrap(),
        1
    );
}

pub fn a_delivery_key_counts_within_its_window_only(db: &dyn TestDb) {
    let store = db.connect();
    let d = Delivery {
        key: "/hook\nabc".into(),
        run_id: "r1".into(),
        received_at: at(0),
    };
    store.transaction(|tx| tx.insert_delivery(&d)).unwrap();
    assert_eq!(
        store.delivery("/hook\nabc", at(-1)).unwrap(),
        Some(d.clone())
    );
    assert_eq!(store.delivery("/hook\nabc", at(1)).unwrap(), None);
    assert_eq!(store.delivery("/other\nabc", at(-1)).unwrap(), None);
    let later = Delivery {
        run_id: "r2".into(),
        received_at: at(100),
        ..d
    };
    store.transaction(|tx| tx.insert_delivery(&later)).unwrap();
    assert_eq!(
        store
            .delivery("/hook\nabc", at(50))
            .unwrap()
            .unwrap()
            .run_id,
        "r2"
    );
    assert_eq!(
        store
            .transaction(|tx| tx.forget_deliveries(at(101)))
            .unwrap(),
        1
    );
}

pub fn pickup_candidates_are_pending_or_leased_runs_oldest_first(db: &dyn TestDb) {
    let store = db.connect();
    let mut second = new_run("b", 1);
    second.created_at = at(10);
    let later = create(store.as_ref(), &second);
    let first = create(store.as_ref(), &new_run("a", 1));
    let mut done = new_run("c", 1);
    done.status = sop_core::run::RunStatus::Succeeded;
    create(store.as_ref(), &done);
    let ids: Vec<String> = store
        .pickup_candidates(10)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, [first.id, later.id]);
    assert_eq!(store.pickup_candidates(1).unwrap().len(), 1);
}

pub fn run_lists_page_after_a_cursor(db: &dyn TestDb) {
    let store = db.connect();
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut new = new_run("p", 1);
        new.created_at = at(i);
        ids.push(create(store.as_ref(), &new).id);
    }
    let filter = sop_store::RunFilter {
        limit: 2,
        ..Default::default()
    };
    let first: Vec<String> = store
        .list_runs(&filter)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(first, [ids[4].clone(), ids[3].clone()]);
    let next: Vec<String> = store
        .list_runs_before(&filter, &ids[3])
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(next, [ids[2].clone(), ids[1].clone()]);
    assert!(store.list_runs_before(&filter, "zzzz").unwrap().is_empty());
}

pub fn run_counts_group_by_sop_and_status(db: &dyn TestDb) {
    let store = db.connect();
    create(store.as_ref(), &new_run("a", 1));
    create(store.as_ref(), &new_run("a", 1));
    create(store.as_ref(), &new_run("b", 1));
    let counts = store.run_counts().unwrap();
    assert_eq!(
        counts,
        [
            ("a".to_string(), sop_core::run::RunStatus::Pending, 2),
            ("b".to_string(), sop_core::run::RunStatus::Pending, 1)
        ]
    );
}

fn session(hash: &str, token_id: Option<&str>, expires: i64) -> ConsoleSession {
    ConsoleSession {
        hash: hash.into(),
        user: "alice".into(),
        scopes: vec!["read".into(), "approve".into()],
        token_id: token_id.map(str::to_owned),
        csrf: format!("csrf-{hash}"),
        created_at: at(0),
        expires_at: at(expires),
    }
}

pub fn console_sessions_are_found_by_hash_and_end_by_sign_out_expiry_or_token(db: &dyn TestDb) {
    let store = db.connect();
    store
        .transaction(|tx| {
            tx.insert_console_session(&session("s1", Some("t1"), 3600))?;
            tx.insert_console_session(&session("s2", None, 10))?;
            tx.insert_console_session(&session("s3", Some("t2"), 3600))?;
            tx.insert_console_session(&session("s4", Some("t2"), 3600))
        })
        .unwrap();
    let found = store.console_session("s1").unwrap().unwrap();
    assert_eq!(found, session("s1", Some("t1"), 3600));
    assert!(found.is_live(at(3599)) && !found.is_live(at(3600)));
    assert_eq!(store.console_session("s2").unwrap().unwrap().token_id, None);
    assert!(store.console_session("nope").unwrap().is_none());
    let dup = store.transaction(|tx| tx.insert_console_session(&session("s1", None, 5)));
    assert!(matches!(dup, Err(StoreError::AlreadyExists { .. })));
    assert!(
        store
            .transaction(|tx| tx.delete_console_session("s1"))
            .unwrap()
    );
    assert!(
        !store
            .transaction(|tx| tx.delete_console_session("s1"))
            .unwrap()
    );
    assert!(store.console_session("s1").unwrap().is_none());
    // Expired at 10: s2 goes; signed in with t2: s3 and s4 go.
    let gone = store
        .transaction(|tx| tx.forget_console_sessions(at(20), Some("t2")))
        .unwrap();
    assert_eq!(gone, 3);
    assert_eq!(
        store
            .transaction(|tx| tx.forget_console_sessions(at(20), None))
            .unwrap(),
        0
    );
}
