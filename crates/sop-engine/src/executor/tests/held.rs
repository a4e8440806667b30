//! A step's first process started ahead and held: it runs nothing until released, and once
//! released it runs exactly as a process started at that moment would.

use super::*;
use crate::executor::held::Held;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(10);

/// Hands the executor a group whose first process was started and held.
struct HeldGroup {
    leader: Option<GroupLeader>,
    inner: Recorder,
}

impl Observer for HeldGroup {
    fn process_group(&mut self, _attempt: u32) -> Option<std::io::Result<GroupLeader>> {
        self.leader.take().map(Ok)
    }

    fn spawned(&mut self, pgid: i32) {
        self.inner.spawned(pgid);
    }

    fn stdout(&mut self, bytes: &[u8]) {
        self.inner.stdout(bytes);
    }

    fn stderr(&mut self, bytes: &[u8]) {
        self.inner.stderr(bytes);
    }
}

/// Runs `script` as step 3 with its first process held, then released by the executor.
fn run_held(fx: &Fixture, script: Script) -> (StepResult, Recorder, bool) {
    let mut leader = fx.executor.new_group("sh").unwrap();
    leader = fx
        .executor
        .hold_first(leader, 3, 1, &script, &BTreeMap::new());
    let first = leader.take_first();
    let was_held = first.is_some();
    if let Some(first) = first {
        leader.hold(first);
    }
    let (result, recorder) = run_in(fx, leader, script);
    (result, recorder, was_held)
}

/// Runs `script` as step 3 in the group `leader` holds.
fn run_in(fx: &Fixture, leader: GroupLeader, script: Script) -> (StepResult, Recorder) {
    let earlier = BTreeMap::new();
    let mut observer = HeldGroup {
        leader: Some(leader),
        inner: Recorder::default(),
    };
    let scripts = [script];
    let result = fx.executor.run_step(
        &StepRequest {
            number: 3,
            scripts: &scripts,
            timeout: None,
            retries: 0,
            deadline: None,
            earlier_outputs: &earlier,
            first_attempt: 1,
            not_before: None,
        },
        &mut observer,
    );
    (result, observer.inner)
}

fn interpreters() -> Vec<&'static str> {
    let dash = std::fs::canonicalize("/bin/sh").is_ok_and(|p| p.ends_with("dash"));
    let mut found = vec!["bash"];
    if dash {
        found.push("sh");
    }
    found
}

#[test]
fn a_held_process_whose_word_never_comes_exits_without_running_its_command() {
    for interpreter in interpreters() {
        let fx = Fixture::new(serde_json::json!({}));
        let marker = fx.path("ran");
        let script = Script::new(interpreter, format!("touch '{}'", marker.display()));
        let mut leader = fx.executor.new_group("sh").unwrap();
        leader = fx
            .executor
            .hold_first(leader, 1, 1, &script, &BTreeMap::new());
        let held = leader.take_first().expect("the process is held");
        // As when `sop` dies: the pipe closes with nothing written.
        let mut child = held.abandon();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(125), "{interpreter}");
        assert!(!marker.exists(), "{interpreter} ran its command unreleased");
    }
}

#[test]
fn a_released_process_runs_its_command_with_the_step_environment_and_no_stdin() {
    for interpreter in interpreters() {
        let fx = Fixture::new(serde_json::json!({"region": "eu"}));
        let code = "echo \"$SOP_VAR_REGION $SOP_STEP $SOP_ATTEMPT\"; if [ -p /dev/stdin ]; then echo pipe; fi; echo \"line $LINENO\"; echo out=1 >> \"$SOP_OUTPUT\"";
        let (result, recorder, held) = run_held(&fx, Script::new(interpreter, code));
        assert!(held, "{interpreter} was not held");
        assert!(result.succeeded(), "{interpreter}: {result:?}");
        let stdout = String::from_utf8_lossy(&recorder.stdout);
        let lineno = if interpreter == "bash" { "1" } else { "" };
        assert_eq!(stdout, format!("eu 3 1\nline {lineno}\n"), "{interpreter}");
        assert_eq!(result.outputs.get("out").map(String::as_str), Some("1"));
        assert_eq!(recorder.pgids.len(), 1);
    }
}

#[test]
fn a_held_command_reports_its_syntax_errors_as_written() {
    for interpreter in interpreters() {
        let fx = Fixture::new(serde_json::json!({}));
        let (result, recorder, _) = run_held(&fx, Script::new(interpreter, "echo a; fi"));
        assert_eq!(result.exit_code, Some(2), "{interpreter}");
        let stderr = String::from_utf8_lossy(&recorder.stderr);
        assert!(stderr.contains("fi"), "{interpreter}: {stderr}");
        assert!(!stderr.contains("read -r"), "{interpreter}: {stderr}");
        assert!(!stderr.contains("BASH_ENV"), "{interpreter}: {stderr}");
    }
}

#[test]
fn the_hold_does_not_reach_the_commands_children() {
    let fx = Fixture::new(serde_json::json!({}));
    let code = "bash -c 'echo \"child:${BASH_ENV-unset}\"'";
    let (result, recorder, held) = run_held(&fx, Script::new("bash", code));
    assert!(held);
    assert!(result.succeeded(), "{result:?}");
    assert_eq!(String::from_utf8_lossy(&recorder.stdout), "child:unset\n");
}

#[test]
fn a_dropped_held_process_is_reaped() {
    let fx = Fixture::new(serde_json::json!({}));
    let script = Script::new("bash", "sleep 60");
    let mut leader = fx.executor.new_group("sh").unwrap();
    leader = fx
        .executor
        .hold_first(leader, 1, 1, &script, &BTreeMap::new());
    let held: Held = leader.take_first().expect("held");
    let pid = held.pid();
    drop(held);
    // Reaped: no zombie of ours is left under that pid.
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
}

/// Runs `script` as step 3, its first process held and leading its own group.
fn run_self_led(fx: &Fixture, script: Script) -> (StepResult, Recorder, i32) {
    let leader = fx
        .executor
        .hold_leading(3, 1, &script, &BTreeMap::new())
        .expect("the process is held");
    assert!(leader.is_led_by_first());
    let pgid = leader.pgid();
    let (result, recorder) = run_in(fx, leader, script);
    (result, recorder, pgid)
}

#[test]
fn a_held_process_leads_its_own_group_and_runs_as_any_step() {
    for interpreter in interpreters() {
        let fx = Fixture::new(serde_json::json!({"region": "eu"}));
        let code = "echo \"$SOP_VAR_REGION $$\"; set -- $(cat /proc/$$/stat); echo \"$5\"; echo out=1 >> \"$SOP_OUTPUT\"";
        let (result, recorder, pgid) = run_self_led(&fx, Script::new(interpreter, code));
        assert!(result.succeeded(), "{interpreter}: {result:?}");
        // The group is the process's own, and it is the group the engine records.
        let pid = pgid.to_string();
        assert_eq!(
            String::from_utf8_lossy(&recorder.stdout),
            format!("eu {pid}\n{pid}\n"),
            "{interpreter}"
        );
        assert_eq!(recorder.pgids, vec![pgid]);
        assert_eq!(result.outputs.get("out").map(String::as_str), Some("1"));
    }
}

#[test]
fn what_a_self_led_step_leaves_behind_ends_with_it() {
    let fx = Fixture::new(serde_json::json!({}));
    let code =
        "sleep 100 & echo $! > pids; (trap '' TERM; sleep 100) & echo $! >> pids; echo started";
    let (result, _, _) = run_self_led(&fx, Script::new("bash", code));
    assert!(result.succeeded(), "{result:?}");
    let pids = pids(&fx.path("pids"));
    assert_eq!(pids.len(), 2);
    for pid in pids {
        assert!(wait_gone(pid, LONG), "left-over process {pid} survived");
    }
}

#[test]
fn a_self_led_process_whose_word_never_comes_runs_nothing() {
    for interpreter in interpreters() {
        let fx = Fixture::new(serde_json::json!({}));
        let marker = fx.path("ran");
        let script = Script::new(interpreter, format!("touch '{}'", marker.display()));
        let mut leader = fx
            .executor
            .hold_leading(1, 1, &script, &BTreeMap::new())
            .expect("held");
        let mut child = leader.take_first().expect("held").abandon();
        assert_eq!(child.wait().unwrap().code(), Some(125), "{interpreter}");
        assert!(!marker.exists(), "{interpreter} ran its command unreleased");
    }
}
