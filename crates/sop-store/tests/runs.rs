//! Runs and steps through the `Store` trait: create, conditional update, lookups, lists.

mod common;

use common::*;
use sop_core::run::StepStatus;
use sop_store::*;

#[test]
fn a_run_round_trips_with_its_steps() {
    let store = memory();
    let run = create(&store, &new_run("deploy", 3));
    assert_eq!(run.id.len(), ID_LEN);
    assert_eq!(run.version, 0);
    assert_eq!(store.run(&run.id).unwrap(), run);
    let steps = store.steps(&run.id).unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[1].title, "Step 2");
    assert_eq!(steps[1].status, StepStatus::Pending);
}

#[test]
fn a_dyn_store_is_usable() {
    let store: Box<dyn Store> = open(&Location::Memory).unwrap();
    let run = store
        .transaction(|tx| tx.insert_run(&new_run("a", 1)))
        .unwrap();
    assert_eq!(store.find_run(&run.id[..9]).unwrap().id, run.id);
    assert_eq!(store.describe(), "sqlite::memory:");
}
