//! A step left running by a `sop` that died on another host: its process group cannot be
//! signalled from here, so recovery says so in the audit trail and leaves the step's fate to
//! the idempotency rule.

use crate::run_support::{
    last_run, run_json, sandbox, spawn, vars, wait_for_file, wait_for_process_group,
};
use serde_json::Value;

#[test]
fn a_step_on_another_host_is_not_signalled_and_the_audit_says_so() {
    let sb = sandbox();
    let mut child = spawn(
        &sb,
        &["execute", "idempotent", "--vars", &vars(&sb, &[])],
        &[],
    );
    wait_for_file(&sb.root().join("started"));
    let id = last_run(&sb, "idempotent");
    wait_for_process_group(&sb, &id, 2);
    let pgid = run_json(&sb, &id)["steps"][1]["process_group"]
        .as_i64()
        .unwrap() as i32;
    child.kill().unwrap();
    child.wait().unwrap();

    // The lease as a driver on another machine would have left it: expired, naming that host.
    let db = rusqlite::Connection::open(sb.db_path()).unwrap();
    let changed = db
        .execute(
            "UPDATE runs SET lease_owner = 'elsewhere/4242/00000000', \
             lease_expires_at = '2000-01-01T00:00:00.000000Z' WHERE id = ?1",
            [&id],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);

    let run = run_json(&sb, &id);
    assert_eq!(
        run["status"], "pending",
        "an idempotent step runs again: {run}"
    );
    let audit = sb.run(&["audit", &id, "--json"]).json();
    let recovered = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "run.recovered")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        recovered["detail"]["orphan"], "on another host: not signalled",
        "{recovered}"
    );
    assert_eq!(recovered["detail"]["orphan_host"], "elsewhere");
    assert_eq!(recovered["detail"]["orphan_process_group"], pgid);

    // It really was left alone: the step still runs here, in its group, until this test stops it.
    // SAFETY: signal 0 only checks that the group exists.
    assert_eq!(
        unsafe { libc::killpg(pgid, 0) },
        0,
        "the step's group was signalled"
    );
    // SAFETY: the group of the step this test started.
    unsafe { libc::killpg(pgid, libc::SIGKILL) };
}
