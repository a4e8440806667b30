//! A `sop` process killed with SIGKILL in the middle of a step: the next command recovers the
//! run. Succeeded steps never run again; an idempotent step re-runs; any other step waits for a
//! person to retry or skip it.

use crate::run_support::{
    audit_kinds, last_run, run_json, sandbox, spawn, vars, wait_for_file, wait_for_process_group,
};
use crate::support::Sandbox;

/// Starts `sop` on `sop`, waits until step 2 runs, and kills the `sop` process with SIGKILL.
fn crash_in_step_2(sb: &Sandbox, sop: &str) -> String {
    let mut child = spawn(sb, &["execute", sop, "--vars", &vars(sb, &[])], &[]);
    wait_for_file(&sb.root().join("started"));
    let id = last_run(sb, sop);
    wait_for_process_group(sb, &id, 2);
    child.kill().unwrap();
    child.wait().unwrap();
    id
}

fn log(sb: &Sandbox) -> String {
    std::fs::read_to_string(sb.root().join("log")).unwrap()
}

#[test]
fn an_idempotent_step_runs_again_after_a_crash() {
    let sb = sandbox();
    let id = crash_in_step_2(&sb, "idempotent");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "pending", "{run}");
    assert_eq!(run["steps"][0]["status"], "succeeded");
    assert_eq!(run["steps"][1]["status"], "pending");
    assert_eq!(run["lease_owner"], serde_json::Value::Null);

    let audit = sb.run(&["audit", &id, "--json"]).json();
    let recovered = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "run.recovered")
        .expect("a run.recovered entry");
    assert_eq!(recovered["detail"]["interrupted_step"], 2);
    assert_eq!(recovered["detail"]["orphan"], "terminated");

    let resume = sb.run(&["resume", &id]);
    assert_eq!(resume.code, 0, "{resume}");
    assert!(resume.stdout.contains("second time"), "{resume}");
    assert_eq!(log(&sb), "step1\nstep2\nstep2\n");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["steps"][1]["attempts"], 2);
}

#[test]
fn a_step_that_is_not_idempotent_waits_for_retry_after_a_crash() {
    let sb = sandbox();
    let id = crash_in_step_2(&sb, "interrupted");
    let status = sb.run(&["status", &id]);
    assert!(status.stdout.contains("· waiting"), "{status}");
    assert!(status.stdout.contains("reason: interrupted"), "{status}");
    let next = sb.run(&["next", &id, "--json"]).json();
    assert_eq!(next["waiting_for"], "decision");
    assert_eq!(next["step"]["number"], 2);

    let resume = sb.run(&["resume", &id]);
    assert_eq!(resume.code, 1, "{resume}");
    assert!(resume.stderr.contains("step 2 was interrupted"), "{resume}");

    let retry = sb.run(&["retry", &id]);
    assert_eq!(retry.code, 0, "{retry}");
    assert_eq!(log(&sb), "step1\nstep2\nstep2\nstep3\n");
    assert!(audit_kinds(&sb, &id).contains(&"step.retried".to_string()));
}

#[test]
fn a_step_that_is_not_idempotent_can_be_skipped_after_a_crash() {
    let sb = sandbox();
    let id = crash_in_step_2(&sb, "interrupted");
    let skip = sb.run(&["skip", &id, "--step", "2", "--reason", "done by hand"]);
    assert_eq!(skip.code, 0, "{skip}");
    assert_eq!(log(&sb), "step1\nstep2\nstep3\n");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["steps"][1]["status"], "skipped");
}

#[test]
fn ctrl_c_lets_go_of_the_run_like_a_crash_and_stops_the_step() {
    let sb = sandbox();
    let child = spawn(&sb, &["execute", "sleeper", "--vars", &vars(&sb, &[])], &[]);
    wait_for_file(&sb.root().join("started"));
    let id = last_run(&sb, "sleeper");
    wait_for_process_group(&sb, &id, 1);
    let pgid = run_json(&sb, &id)["steps"][0]["process_group"]
        .as_i64()
        .unwrap() as i32;
    // SAFETY: signalling the child we started; it is alive until we reap it below.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = crate::run_support::finish(&sb, child);
    assert_eq!(out.code, 4, "{out}");
    assert!(
        out.stdout.contains("■ stopped by signal 2 during step 1"),
        "{out}"
    );
    // Killed members may linger a moment as zombies until init reaps them.
    crate::run_support::wait_until("the step's process group to end", || {
        // SAFETY: signal 0 only asks whether the group still exists.
        unsafe { libc::kill(-pgid, 0) != 0 }
    });

    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "waiting");
    assert_eq!(run["reason"], "interrupted");
    assert_eq!(run["lease_owner"], serde_json::Value::Null);
    assert!(audit_kinds(&sb, &id).contains(&"run.interrupted".to_string()));

    std::fs::write(sb.root().join("release"), "").unwrap();
    let retry = sb.run(&["retry", &id]);
    assert_eq!(retry.code, 0, "{retry}");
    assert!(retry.stdout.contains("after"), "{retry}");
}
