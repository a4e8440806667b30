//! What became of received events, per SOP trigger, and the last start a cooldown counts from.

use super::*;
use serde_json::json;
use sop_store::*;

fn event(store: &dyn Store, name: &str, secs: i64) -> Event {
    store
        .transaction(|tx| {
            tx.insert_event(&NewEvent {
                name: name.into(),
                source: Some("cli".into()),
                payload: json!({"environment": "production"}),
                received_at: at(secs),
            })
        })
        .unwrap()
}

fn outcome(
    event_id: u64,
    sop: &str,
    trigger: u32,
    kind: EventOutcomeKind,
    run_id: Option<&str>,
    secs: i64,
) -> EventOutcome {
    EventOutcome {
        event_id,
        sop: sop.into(),
        trigger,
        outcome: kind,
        run_id: run_id.map(str::to_string),
        reason: (kind != EventOutcomeKind::Started).then(|| format!("{} because", kind.as_str())),
        decided_at: at(secs),
    }
}

fn record(store: &dyn Store, o: &EventOutcome) -> Result<()> {
    store.transaction(|tx| tx.insert_event_outcome(o))
}

pub fn outcomes_round_trip_by_event_and_are_decided_once(db: &dyn TestDb) {
    let store = db.connect();
    let run = create(store.as_ref(), &new_run("rollback", 1));
    let e1 = event(store.as_ref(), "deploy.failed", 0);
    let e2 = event(store.as_ref(), "deploy.failed", 1);
    let started = outcome(
        e1.id,
        "rollback",
        0,
        EventOutcomeKind::Started,
        Some(&run.id),
        0,
    );
    let skipped = outcome(e1.id, "alert", 1, EventOutcomeKind::Skipped, None, 0);
    let cooldown = outcome(
        e2.id,
        "rollback",
        0,
        EventOutcomeKind::Cooldown,
        Some(&run.id),
        1,
    );
    for o in [&started, &skipped, &cooldown] {
        record(store.as_ref(), o).unwrap();
    }
    let err = record(store.as_ref(), &started).unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");

    assert_eq!(
        store.event_outcomes(&[e1.id]).unwrap(),
        [skipped.clone(), started.clone()],
        "by SOP name within an event"
    );
    assert_eq!(
        store.event_outcomes(&[e1.id, e2.id]).unwrap(),
        [skipped, started, cooldown]
    );
    assert_eq!(store.event_outcomes(&[]).unwrap(), []);
}

pub fn the_last_start_is_the_newest_started_outcome_of_that_trigger(db: &dyn TestDb) {
    let store = db.connect();
    assert_eq!(store.last_event_start("rollback", 0).unwrap(), None);
    let mut last = None;
    for (i, secs) in [10, 30, 20].into_iter().enumerate() {
        let e = event(store.as_ref(), "deploy.failed", secs);
        let run = create(store.as_ref(), &new_run("rollback", 1));
        let o = outcome(
            e.id,
            "rollback",
            0,
            EventOutcomeKind::Started,
            Some(&run.id),
            secs,
        );
        record(store.as_ref(), &o).unwrap();
        if i == 1 {
            last = Some(o);
        }
        // Other triggers, other SOPs and other outcomes do not count.
        record(
            store.as_ref(),
            &outcome(
                e.id,
                "rollback",
                1,
                EventOutcomeKind::Started,
                None,
                secs + 100,
            ),
        )
        .unwrap();
        record(
            store.as_ref(),
            &outcome(
                e.id,
                "other",
                0,
                EventOutcomeKind::Started,
                None,
                secs + 100,
            ),
        )
        .unwrap();
        record(
            store.as_ref(),
            &outcome(
                e.id,
                "rollback",
                2,
                EventOutcomeKind::Cooldown,
                None,
                secs + 100,
            ),
        )
        .unwrap();
    }
    assert_eq!(store.last_event_start("rollback", 0).unwrap(), last);
    assert_eq!(store.last_event_start("rollback", 2).unwrap(), None);
}

pub fn events_list_newest_first_on_request(db: &dyn TestDb) {
    let store = db.connect();
    let ids: Vec<u64> = (0..3).map(|i| event(store.as_ref(), "a.b", i).id).collect();
    let newest = store
        .events(&EventFilter {
            limit: 2,
            newest_first: true,
            ..EventFilter::default()
        })
        .unwrap();
    assert_eq!(
        newest.iter().map(|e| e.id).collect::<Vec<_>>(),
        [ids[2], ids[1]]
    );
}
