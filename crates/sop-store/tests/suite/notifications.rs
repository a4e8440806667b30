//! The notification outbox: written in a transaction, read when due, every attempt recorded.

use super::*;
use sop_store::{AttemptOutcome, NewNotification, NotificationAttempt, StoreError};

fn note(event: &str, run: &str, due: i64) -> NewNotification {
    NewNotification {
        event: event.into(),
        channel: "webhook:https://hooks.example/secret-path".into(),
        run_id: Some(run.into()),
        gate_id: None,
        body: "{\"event\":\"x\"}".into(),
        created_at: at(0),
        due_at: at(due),
    }
}

pub fn notifications_are_due_in_order_and_attempts_move_them(db: &dyn TestDb) {
    let store = db.connect();
    let run = store
        .transaction(|tx| tx.insert_run(&new_run("n", 1)))
        .unwrap();
    let (a, b) = store
        .transaction(|tx| {
            let b = tx.insert_notification(&note("reminder", &run.id, 60))?;
            let a = tx.insert_notification(&note("approval", &run.id, 0))?;
            Ok((a, b))
        })
        .unwrap();
    assert_eq!(a.state(), "pending");
    assert_eq!(a.attempts, 0);
    let due: Vec<i64> = store
        .due_notifications(at(0), 10)
        .unwrap()
        .iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(due, [a.id], "the reminder is not due yet");
    let due: Vec<i64> = store
        .due_notifications(at(60), 10)
        .unwrap()
        .iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(due, [a.id, b.id], "soonest first");
    assert_eq!(store.due_notifications(at(60), 1).unwrap().len(), 1);

    let retry = store
        .transaction(|tx| {
            tx.record_notification_attempt(&NotificationAttempt {
                notification_id: a.id,
                at: at(1),
                outcome: AttemptOutcome::Retry,
                error: Some("HTTP 500".into()),
                message_ref: None,
                next_at: Some(at(30)),
            })
        })
        .unwrap();
    assert_eq!(retry.attempts, 1);
    assert_eq!(retry.due_at, at(30));
    assert_eq!(retry.last_error.as_deref(), Some("HTTP 500"));
    assert!(store.due_notifications(at(29), 10).unwrap().is_empty());
    let sent = store
        .transaction(|tx| {
            tx.record_notification_attempt(&NotificationAttempt {
                notification_id: a.id,
                at: at(31),
                outcome: AttemptOutcome::Sent,
                error: None,
                message_ref: Some("C1/1700.1".into()),
                next_at: None,
            })
        })
        .unwrap();
    assert_eq!(sent.state(), "sent");
    assert_eq!(sent.sent_at, Some(at(31)));
    assert_eq!(sent.message_ref.as_deref(), Some("C1/1700.1"));
    let gave_up = store
        .transaction(|tx| {
            tx.record_notification_attempt(&NotificationAttempt {
                notification_id: b.id,
                at: at(61),
                outcome: AttemptOutcome::GaveUp,
                error: Some("HTTP 404".into()),
                message_ref: None,
                next_at: None,
            })
        })
        .unwrap();
    assert_eq!(gave_up.state(), "failed");
    assert!(store.due_notifications(at(1000), 10).unwrap().is_empty());

    let attempts = store.notification_attempts(a.id).unwrap();
    assert_eq!(
        attempts.iter().map(|x| x.outcome).collect::<Vec<_>>(),
        [AttemptOutcome::Retry, AttemptOutcome::Sent]
    );
    assert_eq!(attempts[0].next_at, Some(at(30)));
    let counts = store.notification_counts().unwrap();
    assert_eq!((counts.pending, counts.sent, counts.failed), (0, 1, 1));
    let of_run = store.notifications(Some(&run.id)).unwrap();
    assert_eq!(of_run.len(), 2);
    assert!(store.notifications(Some("nope")).unwrap().is_empty());
    assert_eq!(store.notifications(None).unwrap().len(), 2);
    let json = serde_json::to_string(&of_run).unwrap();
    assert!(
        !json.contains("secret-path"),
        "the channel is never serialised: {json}"
    );
    let missing = store.transaction(|tx| {
        tx.record_notification_attempt(&NotificationAttempt {
            notification_id: 999_999,
            at: at(1),
            outcome: AttemptOutcome::Sent,
            error: None,
            message_ref: None,
            next_at: None,
        })
    });
    assert!(matches!(missing, Err(StoreError::NotFound { .. })));
}

pub fn a_rolled_back_transaction_leaves_no_notification(db: &dyn TestDb) {
    let store = db.connect();
    let run = store
        .transaction(|tx| tx.insert_run(&new_run("n", 1)))
        .unwrap();
    #[derive(Debug, thiserror::Error)]
    #[error("stop")]
    struct Stop;
    let failed: sop_store::Result<()> = store.transaction(|tx| {
        tx.insert_notification(&note("failed", &run.id, 0))?;
        Err(StoreError::abort(Stop))
    });
    assert!(failed.is_err());
    assert!(store.notifications(None).unwrap().is_empty());
    assert_eq!(store.notification_counts().unwrap().pending, 0);
}

pub fn a_due_notification_is_claimed_by_one_sender(db: &dyn TestDb) {
    let store = db.connect();
    let other = db.connect();
    let run = store
        .transaction(|tx| tx.insert_run(&new_run("n", 1)))
        .unwrap();
    let n = store
        .transaction(|tx| tx.insert_notification(&note("approval", &run.id, 0)))
        .unwrap();
    let seen = store.due_notifications(at(0), 10).unwrap().pop().unwrap();
    let first = store
        .transaction(|tx| tx.claim_notification(n.id, seen.due_at, at(40)))
        .unwrap();
    let second = other
        .transaction(|tx| tx.claim_notification(n.id, seen.due_at, at(40)))
        .unwrap();
    assert!(first, "the first sender takes it");
    assert!(!second, "a second sender that read the same row does not");
    assert!(
        store.due_notifications(at(39), 10).unwrap().is_empty(),
        "held while the first sender sends"
    );
    assert_eq!(
        store.due_notifications(at(40), 10).unwrap().len(),
        1,
        "due again if that sender never recorded an attempt"
    );
}
