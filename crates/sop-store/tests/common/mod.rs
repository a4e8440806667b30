//! Shared builders for the store's tests.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use sop_core::run::RunStatus;
use sop_store::{NewRun, NewStep, Run, SqliteStore, StoreExt};

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 9, 0, 0).unwrap()
}

pub fn at(secs: i64) -> DateTime<Utc> {
    t0() + chrono::Duration::seconds(secs)
}

pub fn new_run(sop: &str, steps: u32) -> NewRun {
    NewRun {
        sop_name: sop.into(),
        definition_hash: "sha256:abc".into(),
        definition_snapshot: "[sop]\nname = \"x\"\n".into(),
        execution_mode: sop_core::gate::ResolvedMode::Auto,
        status: RunStatus::Pending,
        reason: None,
        trigger_type: "manual".into(),
        trigger_detail: serde_json::Value::Null,
        started_by: "tester".into(),
        variables: serde_json::json!({"env": "prod"}),
        created_at: t0(),
        workdir: None,
        forced: false,
        steps: (1..=steps)
            .map(|n| NewStep {
                number: n,
                title: format!("Step {n}"),
            })
            .collect(),
    }
}

pub fn memory() -> SqliteStore {
    SqliteStore::open_in_memory().unwrap()
}

pub fn create(store: &SqliteStore, new: &NewRun) -> Run {
    store.transaction(|tx| tx.insert_run(new)).unwrap()
}
