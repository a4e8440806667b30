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

#[test]
fn a_detached_run_makes_its_directory_when_it_starts_and_refuses_one_made_by_someone_else() {
    let sb = Sandbox::new();
    sb.sop(
        "touchy",
        "[sop]\nname = \"touchy\"\ndescription = \"Writes in its directory\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Touchy\n\n## Step 1: Touch\n\n```sh\ntouch here && test -f \"$PWD/here\"\n```\n",
    );
    let entries = || std::fs::read_dir(sb.tmp_dir()).unwrap().count();
    let out = sb.run(&["execute", "touchy", "--detach"]);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(
        entries(),
        0,
        "a run waiting for a server holds no directory"
    );
    let id = crate::run_support::last_run(&sb, "touchy");
    let recorded = crate::run_support::run_json(&sb, &id)["workdir"]
        .as_str()
        .unwrap()
        .to_string();
    // Shown with the sandbox's root masked: the name is what counts.
    let dir = sb.tmp_dir().join(recorded.rsplit('/').next().unwrap());
    // Someone else's link under the recorded name is not worked in.
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), &dir).unwrap();
    let out = sb.run(&["resume", &id]);
    assert!(
        out.stderr.contains("exists but was not made by sop"),
        "{out}"
    );
    assert!(!elsewhere.path().join("here").exists());
    std::fs::remove_file(&dir).unwrap();
    let out = sb.run(&["retry", &id]);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(
        crate::run_support::run_json(&sb, &id)["status"],
        "succeeded"
    );
    assert_eq!(entries(), 0, "its directory went with it");
}
