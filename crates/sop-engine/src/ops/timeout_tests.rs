//! A run's `timeout` through the operations, with the clock injected: when the deadline is
//! fixed, and that it is applied exactly at it to a run nobody drives.

use super::{Caller, Service, StartRequest};
use crate::{Clock, NoEvents, Settings};
use chrono::{DateTime, TimeDelta, Utc};
use sop_core::run::{RunStatus, StepStatus};
use sop_store::Store;
use std::sync::Arc;

fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-31T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + TimeDelta::minutes(minutes)
}

/// One store, seen by services whose clocks say different times.
struct World {
    _dir: tempfile::TempDir,
    settings: Settings,
    store: Arc<dyn Store>,
}

impl World {
    fn new(toml_extra: &str, md: &str) -> World {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("sops/handoff");
        std::fs::create_dir_all(&folder).unwrap();
        let toml = format!(
            "[sop]\nname = \"handoff\"\ndescription = \"test\"\nexecution_mode = \"auto\"\n{toml_extra}\n[[triggers]]\ntype = \"manual\"\n"
        );
        std::fs::write(folder.join("SOP.toml"), toml).unwrap();
        std::fs::write(folder.join("SOP.md"), md).unwrap();
        let db = dir.path().join("sop.db");
        let settings = Settings::from_vars(
            Some(dir.path().join("sops")),
            [(
                "SOP_DATABASE_URL".to_string(),
                format!("sqlite:{}", db.display()),
            )],
        );
        let store = Arc::from(settings.open_store().unwrap());
        World {
            _dir: dir,
            settings,
            store,
        }
    }

    fn at(&self, minutes: i64) -> Service {
        Service::new(
            self.settings.clone(),
            self.store.clone(),
            Clock::fixed(at(minutes)),
        )
    }
}

const MANUAL: &str = "# Handoff\n\n## Step 1: Call\n<!-- sop: manual = true -->\nCall them.\n";

fn start(service: &Service, caller: &Caller, detach: bool) -> String {
    let mut req = StartRequest::manual("handoff", Default::default());
    req.detach = detach;
    let plan = service.plan_run(&req).unwrap();
    let started = service.start_run(caller, &req, plan).unwrap();
    let mut t = started.tracked;
    if let Some(action) = started.action {
        service.drive(caller, &mut t, action).unwrap();
    }
    t.id().to_string()
}

#[test]
fn the_deadline_counts_from_the_start_and_is_applied_exactly_at_it() {
    let w = World::new("timeout = \"1h\"", MANUAL);
    let alice = Caller::new("alice", &NoEvents);
    let id = start(&w.at(0), &alice, false);
    let t = w.at(0).load_run(&alice, &id).unwrap();
    assert_eq!(t.run.status, RunStatus::Waiting);
    assert_eq!(t.run.deadline, Some(at(60)));
    assert_eq!(w.at(30).next_run_deadline(&alice).unwrap(), Some(at(60)));

    // A minute early, reading it changes nothing.
    let early = w.at(59).load_run(&alice, &id).unwrap();
    assert_eq!(early.run.status, RunStatus::Waiting);
    assert_eq!(w.at(59).apply_run_deadlines(&alice).unwrap(), 0);

    let due = w.at(60);
    assert_eq!(due.apply_run_deadlines(&alice).unwrap(), 1);
    let t = due.load_run(&alice, &id).unwrap();
    assert_eq!(t.run.status, RunStatus::Failed);
    assert_eq!(t.run.reason.as_deref(), Some("timeout"));
    assert_eq!(t.steps[0].status, StepStatus::Cancelled);
    assert_eq!(t.run.finished_at, Some(at(60)));
    assert_eq!(due.next_run_deadline(&alice).unwrap(), None);
    let entry = w
        .store
        .audit_entries(Some(&id))
        .unwrap()
        .into_iter()
        .find(|e| e.kind == "run.timed_out")
        .expect("audited");
    assert_eq!(entry.detail["timeout"], "1h");
    assert_eq!(entry.detail["counted_from"], "2026-01-31T09:00:00Z");
}

#[test]
fn time_spent_pending_does_not_count() {
    let w = World::new("timeout = \"1h\"", MANUAL);
    let alice = Caller::new("alice", &NoEvents);
    let id = start(&w.at(0), &alice, true);
    let pending = w.at(0).load_run(&alice, &id).unwrap();
    assert_eq!(
        (pending.run.status, pending.run.deadline),
        (RunStatus::Pending, None)
    );
    // Picked up half an hour later: the hour starts then.
    let t = w.at(30).resume(&alice, &id, true).unwrap();
    assert_eq!(t.run.status, RunStatus::Waiting);
    assert_eq!(t.run.deadline, Some(at(90)));
    assert_eq!(
        w.at(61).load_run(&alice, &id).unwrap().run.status,
        RunStatus::Waiting
    );
    assert_eq!(
        w.at(90).load_run(&alice, &id).unwrap().run.status,
        RunStatus::Failed
    );
}

#[test]
fn without_a_timeout_a_run_has_no_deadline_and_step_timeout_is_the_step_default() {
    let w = World::new("step_timeout = \"5m\"", MANUAL);
    let alice = Caller::new("alice", &NoEvents);
    let id = start(&w.at(0), &alice, false);
    let t = w.at(10_000).load_run(&alice, &id).unwrap();
    assert_eq!((t.run.status, t.run.deadline), (RunStatus::Waiting, None));
    assert_eq!(
        t.sop.meta.step_timeout,
        Some(sop_core::Duration::from_secs(300))
    );
}

#[test]
fn a_failed_run_taken_up_again_gets_its_whole_limit_anew() {
    let w = World::new(
        "timeout = \"1h\"",
        "# Handoff\n\n## Step 1: Fail\n```sh\nexit 3\n```\n",
    );
    let alice = Caller::new("alice", &NoEvents);
    let id = start(&w.at(0), &alice, false);
    let failed = w.at(0).load_run(&alice, &id).unwrap();
    assert_eq!(failed.run.status, RunStatus::Failed);
    assert_eq!(
        failed.run.reason.as_deref(),
        Some("step 1 failed: exit code 3")
    );
    assert_eq!(failed.run.deadline, Some(at(60)));
    // Two hours later the old deadline is long past; the retry counts from now.
    let later = w.at(120);
    let retried = later.retry(&alice, &id, None, true).unwrap();
    assert_eq!(
        retried.run.reason.as_deref(),
        Some("step 1 failed: exit code 3")
    );
    assert_eq!(retried.run.deadline, Some(at(180)));
}

#[test]
fn time_in_the_queue_does_not_count() {
    let w = World::new(
        "timeout = \"1h\"\nconcurrency = 1\non_limit = \"queue\"",
        MANUAL,
    );
    let alice = Caller::new("alice", &NoEvents);
    let first = start(&w.at(0), &alice, false);
    let second = start(&w.at(10), &alice, false);
    let queued = w.at(10).load_run(&alice, &second).unwrap();
    assert_eq!(
        (queued.run.status, queued.run.deadline),
        (RunStatus::Queued, None)
    );
    // Far past what would have been its deadline, a queued run is still just queued.
    let still = w.at(200).load_run(&alice, &second).unwrap();
    assert_eq!(still.run.status, RunStatus::Queued);

    // The first run is finished at 30 (its own hour is not up); the second starts then.
    let done = super::StepCompletion {
        step: None,
        note: None,
        outputs: Default::default(),
        failed: false,
    };
    let (_, t) = w
        .at(30)
        .complete_step(&alice, &first, &done, false)
        .unwrap();
    assert_eq!(t.run.status, RunStatus::Succeeded);
    let t = w.at(30).resume(&alice, &second, true).unwrap();
    assert_eq!(t.run.status, RunStatus::Waiting);
    assert_eq!(t.run.deadline, Some(at(90)));
}
