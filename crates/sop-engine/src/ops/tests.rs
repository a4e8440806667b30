//! The operations driven directly, as a server or an agent would: no `sop` process, one store,
//! several callers.

use super::{Caller, GateDecision, GateRequest, Service, StartRequest, StepCompletion};
use crate::{Clock, ErrorKind, NoEvents};
use serde_json::{Map, Value, json};
use sop_core::gate::Choice;
use sop_core::run::RunStatus;
use std::path::Path;

fn write_sop(dir: &Path, name: &str, toml_extra: &str, md: &str) {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let toml = format!(
        "[sop]\nname = \"{name}\"\ndescription = \"test\"\n{toml_extra}\n[[triggers]]\ntype = \"manual\"\n"
    );
    std::fs::write(folder.join("SOP.toml"), toml).unwrap();
    std::fs::write(folder.join("SOP.md"), md).unwrap();
}

fn service(dir: &Path) -> Service {
    Service::in_dir(dir, Clock::system(), &[("SOP_RETRY_BACKOFF", "0s")])
}

fn vars(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// Starts `sop` for `caller` and drives it as far as it goes.
fn start(service: &Service, caller: &Caller, sop: &str, v: Value) -> crate::engine::Tracked {
    let req = StartRequest::manual(sop, vars(v));
    let plan = service.plan_run(&req).unwrap();
    let started = service.start_run(caller, &req, plan).unwrap();
    let mut t = started.tracked;
    if let Some(action) = started.action {
        service.drive(caller, &mut t, action).unwrap();
    }
    t
}

#[test]
fn a_manual_step_is_read_and_completed_through_the_operations() {
    let dir = tempfile::tempdir().unwrap();
    write_sop(
        &dir.path().join("sops"),
        "onboard",
        "execution_mode = \"auto\"",
        "# Onboard\n\n## Step 1: Create accounts\n\nFor {{ who }}.\n\n- [ ] email\n",
    );
    let service = service(dir.path());
    let alice = Caller::new("alice", &NoEvents);
    let t = start(&service, &alice, "onboard", json!({"who": "Ada"}));
    assert_eq!(t.run.status, RunStatus::Waiting);

    let (_, next) = service.next_step(&alice, t.id()).unwrap();
    let step = next.step.expect("the waiting step");
    assert_eq!(step.description, "For Ada.");
    assert_eq!(step.checklist, vec!["email".to_string()]);

    let done = StepCompletion {
        step: None,
        note: Some("created".into()),
        outputs: [("account".to_string(), "ada".to_string())].into(),
        failed: false,
    };
    let (n, t) = service.complete_step(&alice, t.id(), &done, true).unwrap();
    assert_eq!((n, t.run.status), (1, RunStatus::Succeeded));
    assert_eq!(t.steps[0].outputs["account"], "ada");
}

#[test]
fn a_gate_counts_each_person_once_and_refuses_self_approval_where_four_eyes_apply() {
    let dir = tempfile::tempdir().unwrap();
    write_sop(
        &dir.path().join("sops"),
        "deploy",
        "priority = \"critical\"\nexecution_mode = \"supervised\"",
        "# Deploy\n\n## Step 1: Ship\n\n```sh\ntrue\n```\n",
    );
    let service = service(dir.path());
    let alice = Caller::new("alice", &NoEvents);
    let t = start(&service, &alice, "deploy", json!({}));
    assert_eq!(t.run.status, RunStatus::AwaitingApproval);

    let approve = GateRequest {
        step: None,
        choice: Choice::Approve,
        comment: None,
        claimed: None,
        token: None,
        detach: false,
        authenticated: false,
        channel: "cli",
        sender: None,
    };
    let refused = service.decide_gate(&alice, t.id(), &approve, true);
    let e = refused
        .err()
        .expect("the starter may not approve a critical run");
    assert_eq!(e.kind, ErrorKind::Refused, "{e}");

    let bob = Caller::new("bob", &NoEvents);
    match service.decide_gate(&bob, t.id(), &approve, true).unwrap() {
        GateDecision::Settled { tracked, .. } => {
            assert_eq!(tracked.run.status, RunStatus::Succeeded)
        }
        _ => panic!("one approval settles a gate of min_approvals 1"),
    }
}

#[test]
fn an_unknown_sop_and_an_unknown_run_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    write_sop(
        &dir.path().join("sops"),
        "x",
        "execution_mode = \"auto\"",
        "# X\n\n## Step 1: A\n\nDo it.\n",
    );
    let service = service(dir.path());
    let e = service
        .plan_run(&StartRequest::manual("nope", Map::new()))
        .err()
        .unwrap();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    let caller = Caller::quiet("alice");
    let e = service.load_run(&caller, "zzzz").err().unwrap();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert_eq!(e.remedy, Some(crate::Remedy::ListRuns));
}

#[test]
fn many_runs_are_driven_on_many_threads_of_one_process() {
    let dir = tempfile::tempdir().unwrap();
    write_sop(
        &dir.path().join("sops"),
        "steps",
        "execution_mode = \"auto\"",
        "# Steps\n\n## Step 1: One\n\n```sh\necho one-{{ n }}\n```\n\n## Step 2: Two\n\n```sh\necho two-{{ n }}\n```\n",
    );
    let service = service(dir.path());
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let service = service.clone();
            std::thread::spawn(move || {
                let caller = Caller::new(format!("user{i}"), &NoEvents);
                (0..4)
                    .map(|j| {
                        let n = i * 10 + j;
                        let t = start(&service, &caller, "steps", json!({ "n": n }));
                        (n, t.id().to_string(), t.run.status)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seen = Vec::new();
    for handle in threads {
        seen.extend(handle.join().expect("no thread panicked"));
    }
    assert_eq!(seen.len(), 32);
    let caller = Caller::quiet("auditor");
    for (n, id, status) in &seen {
        assert_eq!(*status, RunStatus::Succeeded, "run {id}");
        let t = service.load_run(&caller, id).unwrap();
        let out: Vec<String> = t
            .steps
            .iter()
            .map(|s| s.output_text().trim().to_string())
            .collect();
        assert_eq!(
            out,
            vec![format!("one-{n}"), format!("two-{n}")],
            "run {id}"
        );
    }
    assert!(service.store().verify_audit().unwrap().is_ok());
}
