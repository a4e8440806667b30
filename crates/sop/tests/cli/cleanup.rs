//! What a finished step or run leaves behind is cleaned up: processes a succeeded step left in
//! its process group, even one that ignores SIGTERM, and the temp working directory of a run
//! that was rejected at a gate.

use crate::support::Sandbox;

/// Whether process `pid` still runs (a zombie waiting to be reaped does not).
fn running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => false,
        Ok(stat) => {
            let state = stat[stat.rfind(')').unwrap() + 1..]
                .split_whitespace()
                .next();
            !matches!(state, Some("Z" | "X"))
        }
    }
}

#[test]
fn a_process_that_ignores_sigterm_does_not_outlive_its_succeeded_step() {
    let mut sb = Sandbox::new();
    sb.env("SOP_KILL_GRACE", "300ms");
    let pidfile = sb.root().join("pid");
    let md = format!(
        "# Leave\n\n## Step 1: Leave something behind\n\n```sh\n(trap '' TERM; exec sleep 100) &\necho $! > '{}'\n```\n",
        pidfile.display()
    );
    sb.sop(
        "leave",
        "[sop]\nname = \"leave\"\ndescription = \"Leaves a process\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        &md,
    );
    let out = sb.run(&["execute", "leave"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stdout.contains("step 1 succeeded"), "{out}");
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The step ends only once its group is empty: by the time sop exits, the leftover is gone.
    assert!(!running(pid), "left-over process {pid} outlived its step");
}

#[test]
fn a_rejected_run_removes_its_temp_working_directory() {
    let sb = Sandbox::new();
    sb.sop(
        "gated",
        "[sop]\nname = \"gated\"\ndescription = \"A gate before every step\"\nexecution_mode = \"step_by_step\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Gated\n\n## Step 1: Touch\n\n```sh\ntouch here\n```\n",
    );
    let entries = || std::fs::read_dir(sb.tmp_dir()).unwrap().count();
    let out = sb.run(&["execute", "gated"]);
    assert_eq!(out.code, 4, "waits at the gate: {out}");
    assert_eq!(
        entries(),
        1,
        "the run's temp working directory exists while it waits"
    );
    let id = out
        .stdout
        .strip_prefix("run ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    let out = sb.run(&["reject", &id, "--as", "bob", "--comment", "not today"]);
    assert_eq!(out.code, 5, "{out}");
    assert_eq!(entries(), 0, "a rejected run leaves nothing behind");
}
