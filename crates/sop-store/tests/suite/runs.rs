//! Runs and steps through the `Store` trait: create, conditional update, lookups, lists.

use super::*;
use sop_core::run::{RunStatus, StepStatus};
use sop_store::*;

pub fn a_run_round_trips_with_its_steps(db: &dyn TestDb) {
    let store = db.connect();
    let run = create(store.as_ref(), &new_run("deploy", 3));
    assert_eq!(run.id.len(), ID_LEN);
    assert_eq!(run.version, 0);
    assert_eq!(store.run(&run.id).unwrap(), run);
    let mut stepwise = new_run("deploy", 1);
    stepwise.execution_mode = sop_core::gate::ResolvedMode::StepByStep;
    let pinned = create(store.as_ref(), &stepwise);
    assert_eq!(
        store.run(&pinned.id).unwrap().execution_mode,
        sop_core::gate::ResolvedMode::StepByStep,
        "the mode a run was started in is kept"
    );
    let steps = store.steps(&run.id).unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[1].title, "Step 2");
    assert_eq!(steps[1].status, StepStatus::Pending);
}

pub fn an_update_read_back_as_state_brings_the_run_to_what_is_stored(db: &dyn TestDb) {
    let store = db.connect();
    let run = create(store.as_ref(), &new_run("deploy", 2));
    let (state, stored) = store
        .transaction(|tx| {
            tx.acquire_lease(&run.id, "host:1:a", at(0), at(30))?;
            let state = tx.update_run_state(
                &run.id,
                &Expect::version(0),
                &RunPatch::status(RunStatus::Running)
                    .with_current_step(1)
                    .with_started_at(at(1)),
            )?;
            Ok((state, tx.run(&run.id)?))
        })
        .unwrap();
    assert_eq!(
        state.variables, None,
        "variables the update left alone are not read"
    );
    let mut applied = run.clone();
    applied.apply_state(state);
    assert_eq!(applied, stored);
    assert_eq!(applied.lease_owner.as_deref(), Some("host:1:a"));

    // Variables an update writes come back with it; a lost race is a conflict, as ever.
    let patch = RunPatch {
        variables: Some(serde_json::json!({"region": "eu"})),
        ..RunPatch::default()
    };
    let state = store
        .transaction(|tx| tx.update_run_state(&run.id, &Expect::version(stored.version), &patch))
        .unwrap();
    applied.apply_state(state);
    assert_eq!(applied, store.run(&run.id).unwrap());
    let lost = store.transaction(|tx| tx.update_run_state(&run.id, &Expect::version(0), &patch));
    assert!(lost.unwrap_err().is_conflict());
}

pub fn updates_are_compare_and_set(db: &dyn TestDb) {
    let store = db.connect();
    let run = create(store.as_ref(), &new_run("deploy", 2));
    let started = store
        .transaction(|tx| {
            tx.update_run(
                &run.id,
                &Expect::version(0).and_status_in(&[RunStatus::Pending]),
                &RunPatch::status(RunStatus::Running)
                    .with_current_step(1)
                    .with_started_at(at(1)),
            )
        })
        .unwrap();
    assert_eq!(started.version, 1);
    assert_eq!(started.status, RunStatus::Running);
    assert_eq!(started.current_step, Some(1));
    assert_eq!(started.started_at, Some(at(1)));

    // A writer still holding version 0 loses, and changes nothing.
    let err = store
        .transaction(|tx| {
            tx.update_run(
                &run.id,
                &Expect::version(0),
                &RunPatch::status(RunStatus::Cancelled),
            )
        })
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "run `{}` changed meanwhile: expected version 0, found version 1, status running",
            run.id
        )
    );
    assert_eq!(store.run(&run.id).unwrap().status, RunStatus::Running);

    let err = store
        .transaction(|tx| {
            tx.update_run(
                &run.id,
                &Expect::status_in(&[RunStatus::Paused]),
                &RunPatch::default(),
            )
        })
        .unwrap_err();
    assert!(err.is_conflict());
}

pub fn a_deadline_is_kept_and_active_ones_are_listed_soonest_first(db: &dyn TestDb) {
    let store = db.connect();
    let set = |id: &str, status: RunStatus, deadline: Option<chrono::DateTime<chrono::Utc>>| {
        let patch = RunPatch {
            deadline: Some(deadline),
            ..RunPatch::status(status)
        };
        store
            .transaction(|tx| tx.update_run(id, &Expect::unconditional(), &patch))
            .unwrap()
    };
    let late = create(store.as_ref(), &new_run("deploy", 1));
    let soon = create(store.as_ref(), &new_run("deploy", 1));
    let finished = create(store.as_ref(), &new_run("deploy", 1));
    let none = create(store.as_ref(), &new_run("deploy", 1));
    assert_eq!(none.deadline, None);
    let written = set(&late.id, RunStatus::Running, Some(at(90)));
    assert_eq!(written.deadline, Some(at(90)));
    assert_eq!(store.run(&late.id).unwrap().deadline, Some(at(90)));
    set(&soon.id, RunStatus::AwaitingApproval, Some(at(30)));
    set(&finished.id, RunStatus::Failed, Some(at(10)));
    set(&none.id, RunStatus::Running, None);

    let listed = store.run_deadlines(10).unwrap();
    let ids: Vec<_> = listed.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, [soon.id.as_str(), late.id.as_str()], "{listed:?}");
    assert_eq!(listed[0].deadline, at(30));
    assert_eq!(listed[0].status, RunStatus::AwaitingApproval);
    assert_eq!(store.run_deadlines(1).unwrap().len(), 1);

    // A patch without a deadline leaves it alone; `Some(None)` clears it.
    set(&soon.id, RunStatus::Waiting, Some(at(30)));
    let kept = store
        .transaction(|tx| {
            tx.update_run(
                &soon.id,
                &Expect::unconditional(),
                &RunPatch::status(RunStatus::Running),
            )
        })
        .unwrap();
    assert_eq!(kept.deadline, Some(at(30)));
    set(&soon.id, RunStatus::Running, None);
    let ids: Vec<_> = store
        .run_deadlines(10)
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(ids, std::slice::from_ref(&late.id));
}

pub fn a_failed_body_rolls_everything_back(db: &dyn TestDb) {
    #[derive(Debug, thiserror::Error)]
    #[error("step 1 is not waiting")]
    struct NotWaiting;

    let store = db.connect();
    let run = create(store.as_ref(), &new_run("deploy", 1));
    let err = store
        .transaction(|tx| -> sop_store::Result<()> {
            tx.update_step(&run.id, 1, &StepPatch::status(StepStatus::Running))?;
            tx.audit(&AuditEvent::new(
                at(1),
                Some(&run.id),
                "tester",
                "step.started",
                serde_json::json!({}),
            ))?;
            Err(StoreError::abort(NotWaiting))
        })
        .unwrap_err();
    assert!(err.aborted::<NotWaiting>().is_some());
    assert_eq!(store.step(&run.id, 1).unwrap().status, StepStatus::Pending);
    assert!(store.audit_entries(None).unwrap().is_empty());
}

pub fn missing_runs_and_steps_are_not_found(db: &dyn TestDb) {
    let store = db.connect();
    let err = store.run("0000000aaaaa").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no run `0000000aaaaa`; `sop status` lists recent runs"
    );
    assert!(matches!(
        store.find_run("not-an-id"),
        Err(StoreError::NotFound { .. })
    ));
    let err = store
        .transaction(|tx| tx.update_run("0000000aaaaa", &Expect::version(0), &RunPatch::default()))
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "run", .. }));
    let run = create(store.as_ref(), &new_run("a", 1));
    let err = store.step(&run.id, 2).unwrap_err();
    assert_eq!(err.to_string(), format!("no step `{} step 2`", run.id));
}

pub fn prefixes_find_one_run_or_list_the_candidates(db: &dyn TestDb) {
    let store = db.connect();
    // Same second: the ids share their 7-character time part.
    let runs: Vec<Run> = (0..5)
        .map(|_| create(store.as_ref(), &new_run("a", 0)))
        .collect();
    let id = &runs[0].id;
    assert_eq!(store.find_run(id).unwrap().id, *id);
    assert_eq!(store.find_run(&id.to_uppercase()).unwrap().id, *id);
    let unique = (8..=ID_LEN)
        .map(|n| &id[..n])
        .find(|p| runs.iter().filter(|r| r.id.starts_with(p)).count() == 1)
        .unwrap();
    assert_eq!(store.find_run(unique).unwrap().id, *id);
    match store.find_run(&id[..7]).unwrap_err() {
        StoreError::AmbiguousPrefix { prefix, candidates } => {
            assert_eq!(prefix, id[..7]);
            let mut all: Vec<_> = runs.iter().map(|r| r.id.clone()).collect();
            all.sort();
            assert_eq!(candidates, all);
        }
        other => panic!("{other}"),
    }
    assert!(matches!(
        store.find_run("zzzz"),
        Err(StoreError::NotFound { .. })
    ));
}

pub fn lists_are_newest_first_and_filtered(db: &dyn TestDb) {
    let store = db.connect();
    let mut ids = Vec::new();
    for i in 0..6 {
        let mut new = new_run(if i % 2 == 0 { "even" } else { "odd" }, 1);
        new.created_at = at(i * 60);
        new.status = if i < 3 {
            RunStatus::Succeeded
        } else {
            RunStatus::Pending
        };
        ids.push(create(store.as_ref(), &new).id);
    }
    let all = store.list_runs(&RunFilter::default()).unwrap();
    let listed: Vec<_> = all.iter().map(|r| r.id.clone()).collect();
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(listed, expected);

    let even = store
        .list_runs(&RunFilter {
            sop_name: Some("even".into()),
            limit: 2,
            ..RunFilter::default()
        })
        .unwrap();
    assert_eq!(
        even.iter().map(|r| &r.id).collect::<Vec<_>>(),
        [&ids[4], &ids[2]]
    );
    let done = store
        .list_runs(&RunFilter {
            statuses: vec![RunStatus::Succeeded, RunStatus::Failed],
            ..RunFilter::default()
        })
        .unwrap();
    assert_eq!(done.len(), 3);
    assert!(done.iter().all(|r| r.status == RunStatus::Succeeded));

    assert_eq!(store.count_active_runs("even").unwrap(), 1);
    assert_eq!(store.count_active_runs("odd").unwrap(), 2);
    assert_eq!(store.count_active_runs("none").unwrap(), 0);
}

pub fn many_runs_in_one_second_get_distinct_ids(db: &dyn TestDb) {
    let store = db.connect();
    let mut ids: Vec<String> = store
        .transaction(|tx| {
            (0..2000)
                .map(|_| tx.insert_run(&new_run("a", 0)).map(|r| r.id))
                .collect()
        })
        .unwrap();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2000);
}

pub fn step_updates_keep_the_output_tail_and_outputs(db: &dyn TestDb) {
    let store = db.connect();
    let run = create(store.as_ref(), &new_run("a", 2));
    let mut output = vec![b'x'; 1000];
    output.extend(vec![b'y'; OUTPUT_TAIL_LIMIT]);
    let patch = StepPatch {
        status: Some(StepStatus::Succeeded),
        attempts: Some(2),
        exit_code: Some(Some(0)),
        started_at: Some(Some(at(1))),
        finished_at: Some(Some(at(3))),
        duration_ms: Some(Some(2000)),
        output: Some(StepOutput {
            tail: output,
            total_size: 5_000_000,
            sha256: Some("ab".repeat(32)),
        }),
        process_group: Some(Some(4242)),
        note: Some(Some("looked fine".into())),
        outputs: Some([("version".to_owned(), "1.2.3".to_owned())].into()),
    };
    let step = store
        .transaction(|tx| tx.update_step(&run.id, 1, &patch))
        .unwrap();
    assert_eq!(step.output_tail.len(), OUTPUT_TAIL_LIMIT);
    assert!(step.output_tail.iter().all(|&b| b == b'y'));
    assert_eq!(step.output_size, 5_000_000);
    assert_eq!(step.process_group, Some(4242));
    assert_eq!(step.outputs["version"], "1.2.3");
    assert_eq!(store.step(&run.id, 1).unwrap(), step);

    let cleared = store
        .transaction(|tx| {
            tx.update_step(
                &run.id,
                1,
                &StepPatch {
                    process_group: Some(None),
                    ..StepPatch::default()
                },
            )
        })
        .unwrap();
    assert_eq!(cleared.process_group, None);
    assert_eq!(cleared.attempts, 2);
}

pub fn run_json_is_the_record(db: &dyn TestDb) {
    let store = db.connect();
    let run = create(store.as_ref(), &new_run("a", 1));
    let json = serde_json::to_value(&run).unwrap();
    assert_eq!(json["status"], "pending");
    assert_eq!(json["variables"]["env"], "prod");
    assert_eq!(json["created_at"], "2025-06-02T09:00:00Z");
    let back: Run = serde_json::from_value(json).unwrap();
    assert_eq!(back, run);
}

pub fn using_the_store_inside_its_own_transaction_is_an_error_not_a_deadlock(db: &dyn TestDb) {
    let store = db.connect();
    let run = create(store.as_ref(), &new_run("a", 1));
    let err = store
        .transaction(|tx| {
            tx.update_run(&run.id, &Expect::version(0), &RunPatch::default())?;
            store.run(&run.id)
        })
        .unwrap_err();
    assert!(err.to_string().contains("through the transaction"), "{err}");
    assert_eq!(store.run(&run.id).unwrap().version, 0, "rolled back");
}
