//! Two processes recovering one lapsed run, as the surviving nodes of a cluster do: both read
//! the run before either writes, then each recovers it in turn.

use super::{needs_recovery, recover};
use crate::engine::Tracked;
use crate::ops::StartRequest;
use crate::{Caller, Clock, Service};
use chrono::{DateTime, TimeDelta, Utc};
use sop_core::run::{RunStatus, StepStatus};
use std::path::Path;

fn write_sop(dir: &Path, name: &str, options: &str) {
    let folder = dir.join("sops").join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let toml = format!(
        "[sop]\nname = \"{name}\"\ndescription = \"test\"\nexecution_mode = \"auto\"\n\n\
         [[triggers]]\ntype = \"manual\"\n"
    );
    std::fs::write(folder.join("SOP.toml"), toml).unwrap();
    let md = format!("# {name}\n\n## Step 1: Ship\n{options}\n```sh\ntrue\n```\n");
    std::fs::write(folder.join("SOP.md"), md).unwrap();
}

/// A service on the SQLite store in `dir` whose clock says `at`.
fn service_at(dir: &Path, at: DateTime<Utc>) -> Service {
    Service::in_dir(dir, Clock::fixed(at), &[])
}

/// Starts `sop` at `at` for a driver on another host, which then dies before its step ends:
/// the run is `running`, its step too, under a lease nobody renews. Its id.
fn left_running(dir: &Path, sop: &str, at: DateTime<Utc>) -> String {
    let service = service_at(dir, at);
    let dead = Caller::quiet_owning("alice", Some("elsewhere/4242/deadbeef".into()));
    let req = StartRequest::manual(sop, Default::default());
    let plan = service.plan_run(&req).unwrap();
    // Not driven: the step stays `running` and its prepared process ends with the tracker.
    let started = service.start_run(&dead, &req, plan).unwrap();
    assert!(started.action.is_some(), "the run would start its step");
    let t = started.tracked;
    assert_eq!(t.run.status, RunStatus::Running);
    assert_eq!(t.steps[0].status, StepStatus::Running);
    t.run.id.clone()
}

/// Both survivors load the lapsed run before either recovers it, then recover in turn; the
/// run's `run.recovered` entries, its final status and its step's.
fn race(options: &str) -> (Vec<serde_json::Value>, RunStatus, StepStatus) {
    let dir = tempfile::tempdir().unwrap();
    write_sop(dir.path(), "ship", options);
    let t0 = DateTime::parse_from_rfc3339("2026-03-02T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let id = left_running(dir.path(), "ship", t0);

    // Long after the dead driver's lease ran out.
    let service = service_at(dir.path(), t0 + TimeDelta::hours(1));
    let (node_a, node_b) = (Caller::quiet("sop"), Caller::quiet("sop"));
    let a = service.engine(&node_a).unwrap();
    let b = service.engine(&node_b).unwrap();
    let mut seen_by_a = Tracked::load(&a, &id).unwrap();
    let mut seen_by_b = Tracked::load(&b, &id).unwrap();
    assert!(needs_recovery(&a, &seen_by_a) && needs_recovery(&b, &seen_by_b));

    assert!(recover(&a, &mut seen_by_a).unwrap(), "the first recovers");
    let again = recover(&b, &mut seen_by_b).unwrap();

    let recovered: Vec<_> = service
        .audit_entries(Some(&id))
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "run.recovered")
        .map(|e| e.detail)
        .collect();
    assert_eq!(
        recovered.len(),
        1,
        "one recovery, one entry: {recovered:#?}"
    );
    assert!(!again, "the second finds the run recovered already");
    assert_eq!(seen_by_b.run.status, seen_by_a.run.status, "read again");
    let run = service.store().run(&id).unwrap();
    let step = service.store().steps(&id).unwrap()[0].status;
    assert_eq!(run.lease_owner, None, "the recovery let go of the lease");
    (recovered, run.status, step)
}

#[test]
fn two_survivors_recover_an_interrupted_run_once() {
    let (recovered, run, step) = race("");
    assert_eq!(recovered[0]["from"], "running", "{recovered:#?}");
    assert_eq!(recovered[0]["to"], "waiting", "{recovered:#?}");
    assert_eq!((run, step), (RunStatus::Waiting, StepStatus::Waiting));
}

#[test]
fn two_survivors_recover_an_idempotent_step_once() {
    let (recovered, run, step) = race("<!-- sop: idempotent = true -->\n");
    assert_eq!(recovered[0]["from"], "running", "{recovered:#?}");
    assert_eq!(recovered[0]["to"], "pending", "{recovered:#?}");
    assert_eq!((run, step), (RunStatus::Pending, StepStatus::Pending));
}
