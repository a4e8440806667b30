//! The scheduler's decisions: one per fire key, whoever writes first; a queued tick settled
//! once; lists narrowed by SOP, trigger and decision, latest tick first.

use super::*;
use serde_json::json;
use sop_core::schedule::FireDecision;
use sop_store::{ScheduleFire, ScheduleFireFilter};

fn fire(trigger: &str, tick: i64, decision: FireDecision, run: Option<&str>) -> ScheduleFire {
    ScheduleFire {
        sop_name: "backup".into(),
        trigger_key: trigger.into(),
        scheduled_at: at(tick),
        decision,
        run_id: run.map(str::to_string),
        recorded_at: at(tick + 1),
        detail: json!({"wall": "02:00"}),
    }
}

fn all() -> ScheduleFireFilter {
    ScheduleFireFilter {
        limit: 100,
        ..ScheduleFireFilter::default()
    }
}

pub fn a_tick_is_decided_once_whoever_writes_first(db: &dyn TestDb) {
    let one = db.connect();
    let two = db.connect();
    let first = fire("0 2 * * * UTC", 0, FireDecision::Fired, Some("r1"));
    assert!(
        one.transaction(|tx| tx.insert_schedule_fire(&first))
            .unwrap()
    );
    let again = fire("0 2 * * * UTC", 0, FireDecision::Fired, Some("r2"));
    assert!(
        !two.transaction(|tx| tx.insert_schedule_fire(&again))
            .unwrap()
    );
    let other_trigger = fire("0 3 * * * UTC", 0, FireDecision::Missed, None);
    assert!(
        two.transaction(|tx| tx.insert_schedule_fire(&other_trigger))
            .unwrap()
    );
    let listed = one.schedule_fires(&all()).unwrap();
    assert_eq!(listed.len(), 2);
    let kept = listed
        .iter()
        .find(|f| f.trigger_key == "0 2 * * * UTC")
        .unwrap();
    assert_eq!(kept, &first);
}

pub fn a_queued_tick_is_settled_once(db: &dyn TestDb) {
    let store = db.connect();
    let queued = fire("*/5 * * * * UTC", 10, FireDecision::Queued, None);
    store
        .transaction(|tx| tx.insert_schedule_fire(&queued))
        .unwrap();
    let key = ("backup", "*/5 * * * * UTC", at(10));
    let settle = |run: &str| {
        store
            .transaction(|tx| tx.settle_schedule_fire(key, FireDecision::Fired, Some(run), at(20)))
            .unwrap()
    };
    assert!(settle("r1"));
    assert!(!settle("r2"));
    let got = store.schedule_fires(&all()).unwrap();
    assert_eq!(got[0].decision, FireDecision::Fired);
    assert_eq!(got[0].run_id.as_deref(), Some("r1"));
    assert_eq!(got[0].recorded_at, at(20));
}

pub fn decisions_list_latest_first_and_narrow(db: &dyn TestDb) {
    let store = db.connect();
    for (tick, decision) in [
        (0, FireDecision::Fired),
        (60, FireDecision::SkippedOverlap),
        (120, FireDecision::Fired),
    ] {
        let f = fire("t", tick, decision, Some("r"));
        store.transaction(|tx| tx.insert_schedule_fire(&f)).unwrap();
    }
    let mut other = fire("t", 30, FireDecision::Missed, None);
    other.sop_name = "cleanup".into();
    store
        .transaction(|tx| tx.insert_schedule_fire(&other))
        .unwrap();
    let ticks = |filter: ScheduleFireFilter| -> Vec<i64> {
        store
            .schedule_fires(&filter)
            .unwrap()
            .iter()
            .map(|f| (f.scheduled_at - at(0)).num_seconds())
            .collect()
    };
    assert_eq!(ticks(all()), [120, 60, 30, 0]);
    let backup = || ScheduleFireFilter {
        sop_name: Some("backup".into()),
        trigger_key: Some("t".into()),
        limit: 100,
        ..ScheduleFireFilter::default()
    };
    assert_eq!(ticks(backup()), [120, 60, 0]);
    assert_eq!(
        ticks(ScheduleFireFilter {
            decision: Some(FireDecision::Fired),
            ..backup()
        }),
        [120, 0]
    );
    assert_eq!(
        ticks(ScheduleFireFilter {
            limit: 1,
            ..backup()
        }),
        [120]
    );
}
