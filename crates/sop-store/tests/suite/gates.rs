//! Gates, decisions and approval tokens.

use super::*;
use sop_store::*;

fn open_gate(store: &dyn Store, run_id: &str, step: u32, expires: Option<i64>) -> Gate {
    store
        .transaction(|tx| {
            tx.insert_gate(&NewGate {
                run_id: run_id.into(),
                step,
                opened_at: at(0),
                expires_at: expires.map(at),
                approvers: vec!["alice".into(), "@oncall".into()],
                min_approvals: 2,
                on_timeout: GateTimeoutAction::Expire,
                remind_at: expires.map(|e| at(e / 2)),
            })
        })
        .unwrap()
}

fn decide(store: &dyn Store, gate: &str, actor: &str, d: Choice) -> Result<()> {
    store.transaction(|tx| {
        tx.insert_decision(&GateDecision {
            gate_id: gate.into(),
            actor: actor.into(),
            decision: d,
            comment: Some(format!("{actor} says so")),
            at: at(5),
        })
    })
}

pub fn gates_round_trip_and_list(db: &dyn TestDb) {
    let store = db.connect();
    let run = create(store.as_ref(), &new_run("a", 2));
    assert_eq!(store.soonest_gate_expiry().unwrap(), None);
    let g0 = open_gate(store.as_ref(), &run.id, 0, Some(3600));
    let g2 = open_gate(store.as_ref(), &run.id, 2, None);
    let other = create(store.as_ref(), &new_run("b", 1));
    let g_other = open_gate(store.as_ref(), &other.id, 1, Some(60));
    assert_eq!(store.gate(&g0.id).unwrap(), g0);
    assert_eq!(g0.status, GateStatus::Open);
    assert_eq!(g0.approvers, ["alice", "@oncall"]);
    assert_eq!(g0.remind_at, Some(at(1800)));
    assert_eq!(g2.remind_at, None);
    assert_eq!(store.gates(&run.id).unwrap(), [g0.clone(), g2.clone()]);
    // Soonest deadline first, no deadline last.
    let open: Vec<_> = store
        .open_gates()
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(open, [g_other.id, g0.id, g2.id]);
    assert_eq!(store.soonest_gate_expiry().unwrap(), Some(at(60)));
}

pub fn a_gate_on_a_missing_run_is_refused(db: &dyn TestDb) {
    let store = db.connect();
    let err = store
        .transaction(|tx| {
            tx.insert_gate(&NewGate {
                run_id: "0000000zzzzz".into(),
                step: 0,
                opened_at: at(0),
                expires_at: None,
                approvers: vec![],
                min_approvals: 1,
                on_timeout: GateTimeoutAction::Cancel,
                remind_at: None,
            })
        })
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { what: "run", .. }),
        "{err}"
    );
}

pub fn one_decision_per_person_and_a_gate_closes_once(db: &dyn TestDb) {
    let store = db.connect();
    let run = create(store.as_ref(), &new_run("a", 1));
    let gate = open_gate(store.as_ref(), &run.id, 1, Some(3600));
    assert_eq!(store.soonest_gate_expiry().unwrap(), Some(at(3600)));
    decide(store.as_ref(), &gate.id, "alice", Choice::Approve).unwrap();
    let err = decide(store.as_ref(), &gate.id, "alice", Choice::Approve).unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err}");
    decide(store.as_ref(), &gate.id, "bob", Choice::Approve).unwrap();
    let ds = store.decisions(&gate.id).unwrap();
    assert_eq!(ds.len(), 2);
    assert_eq!(ds[0].comment.as_deref(), Some("alice says so"));
    assert_eq!(store.run_decisions(&run.id).unwrap(), ds);

    let approved = store
        .transaction(|tx| {
            tx.update_gate_status(&gate.id, GateStatus::Open, GateStatus::Approved, at(6))
        })
        .unwrap();
    assert_eq!(approved.status, GateStatus::Approved);
    assert_eq!(approved.decided_at, Some(at(6)));
    let err = store
        .transaction(|tx| {
            tx.update_gate_status(&gate.id, GateStatus::Open, GateStatus::Expired, at(7))
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "gate `{}` changed meanwhile: expected status open, found status approved",
            gate.id
        )
    );
    assert!(store.open_gates().unwrap().is_empty());
    assert_eq!(
        store.soonest_gate_expiry().unwrap(),
        None,
        "a decided gate is not due"
    );
    let err = decide(store.as_ref(), "0000000zzzzz", "carol", Choice::Reject).unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "gate", .. }));
}

pub fn tokens_are_single_use_and_die_with_revocation(db: &dyn TestDb) {
    let store = db.connect();
    let run = create(store.as_ref(), &new_run("a", 1));
    let gate = open_gate(store.as_ref(), &run.id, 0, None);
    let issue = |token: &str, who: Option<&str>| {
        store.transaction(|tx| {
            tx.insert_token(&NewApprovalToken {
                gate_id: gate.id.clone(),
                approver: who.map(str::to_owned),
                hash: ApprovalToken::hash_token(token),
                created_at: at(0),
            })
        })
    };
    issue("tok-alice", Some("alice")).unwrap();
    issue("tok-bob", Some("bob")).unwrap();
    assert!(matches!(
        issue("tok-bob", Some("bob")),
        Err(StoreError::AlreadyExists { .. })
    ));
    let stored = store.tokens(&gate.id).unwrap();
    assert_eq!(stored.len(), 2);
    assert!(
        stored
            .iter()
            .all(|t| t.hash.len() == 64 && !t.hash.contains("tok"))
    );

    let hash = ApprovalToken::hash_token("tok-alice");
    let used = store.transaction(|tx| tx.use_token(&hash, at(9))).unwrap();
    assert_eq!(used.approver.as_deref(), Some("alice"));
    assert_eq!(used.used_at, Some(at(9)));
    let replay = store
        .transaction(|tx| tx.use_token(&hash, at(10)))
        .unwrap_err();
    assert!(replay.is_conflict(), "{replay}");
    assert!(replay.to_string().contains("used at 2025-06-02T09:00:09"));

    let unknown = store
        .transaction(|tx| tx.use_token(&ApprovalToken::hash_token("forged"), at(10)))
        .unwrap_err();
    assert!(matches!(unknown, StoreError::NotFound { .. }));

    assert_eq!(
        store.transaction(|tx| tx.revoke_tokens(&gate.id)).unwrap(),
        1
    );
    let bob = ApprovalToken::hash_token("tok-bob");
    assert!(!store.token_by_hash(&bob).unwrap().unwrap().is_usable());
    let revoked = store
        .transaction(|tx| tx.use_token(&bob, at(11)))
        .unwrap_err();
    assert!(revoked.to_string().ends_with("found revoked"), "{revoked}");
}
