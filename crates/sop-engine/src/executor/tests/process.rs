//! Exit status, output capture, timeouts, cancellation and process groups.

use super::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::os::unix::process::CommandExt;

const LONG: Duration = Duration::from_secs(10);

#[test]
fn exit_codes_and_signals() {
    let f = Fixture::new(json!({}));
    let (ok, _) = f.sh("true");
    assert!(ok.succeeded());
    assert_eq!((ok.exit_code, ok.signal, ok.attempts), (Some(0), None, 1));
    assert_eq!(ok.failure(), None);

    let (failed, _) = f.sh("exit 3");
    assert!(!failed.succeeded());
    assert_eq!(failed.exit_code, Some(3));
    assert_eq!(failed.failure().as_deref(), Some("exit code 3"));

    let (killed, _) = f.sh("kill -9 $$");
    assert_eq!((killed.exit_code, killed.signal), (None, Some(9)));
    assert_eq!(killed.failure().as_deref(), Some("killed by signal 9"));
}

#[test]
fn runs_in_the_working_directory_in_its_own_process_group() {
    let f = Fixture::new(json!({}));
    let (r, rec) = f.sh("pwd; cut -d' ' -f5 /proc/$$/stat; echo $$");
    let lines: Vec<&str> = tail(&r).lines().collect();
    assert_eq!(
        std::fs::canonicalize(lines[0]).unwrap(),
        std::fs::canonicalize(f.work.path()).unwrap()
    );
    let group: i32 = lines[1].parse().unwrap();
    assert_eq!(rec.pgids, vec![group], "the group the observer was told of");
    assert_ne!(
        lines[2], lines[1],
        "a leader made before the shell started leads the group"
    );
    // SAFETY: getpgrp has no preconditions.
    assert_ne!(group, unsafe { libc::getpgrp() });
}

#[test]
fn stdin_is_empty() {
    let f = Fixture::new(json!({}));
    let (r, _) = f.sh("cat; echo done");
    assert_eq!(tail(&r), "done\n");
}

#[test]
fn streams_stdout_and_stderr_separately_and_captures_both() {
    let f = Fixture::new(json!({}));
    let (r, rec) = f.sh("echo out; echo err >&2; printf more");
    assert_eq!(rec.stdout, b"out\nmore");
    assert_eq!(rec.stderr, b"err\n");
    assert_eq!(r.output.total_bytes, 12);
    let mut tail = r.output.tail.clone();
    tail.sort_unstable();
    let mut all = b"out\nerr\nmore".to_vec();
    all.sort_unstable();
    assert_eq!(tail, all);
}

#[test]
fn keeps_the_last_64_kib_with_the_size_and_hash_of_everything() {
    let f = Fixture::new(json!({}));
    let (r, rec) = f.sh("seq 1 40000");
    let expected: String = (1..=40000).map(|n| format!("{n}\n")).collect();
    assert!(expected.len() > 3 * capture::TAIL_BYTES);
    assert_eq!(rec.stdout, expected.as_bytes());
    assert_eq!(r.output.total_bytes, expected.len() as u64);
    assert_eq!(r.output.tail.len(), capture::TAIL_BYTES);
    assert_eq!(
        r.output.tail,
        &expected.as_bytes()[expected.len() - capture::TAIL_BYTES..]
    );
    assert_eq!(
        r.output.sha256,
        hex::encode(Sha256::digest(expected.as_bytes()))
    );
}

#[test]
fn non_utf8_output_is_kept_as_bytes() {
    let f = Fixture::new(json!({}));
    let (r, rec) = f.sh(r"printf '\377\376ok\n'");
    assert_eq!(r.output.tail, b"\xff\xfeok\n");
    assert_eq!(rec.stdout, b"\xff\xfeok\n");
}

#[test]
fn sh_and_bash_blocks_use_their_interpreter() {
    let f = Fixture::new(json!({}));
    let probe = "if [ -n \"${BASH_VERSION:-}\" ]; then echo bash; else echo sh; fi";
    let (r, _) = f.run(&[Script::new("bash", probe)], None, 0);
    assert_eq!(tail(&r), "bash\n");
    let (r, _) = f.run(&[Script::new("sh", probe)], None, 0);
    assert_eq!(tail(&r), "sh\n");
    let (r, _) = f.run(&[Script::new("bash", "[[ a == a ]] && echo yes")], None, 0);
    assert_eq!(tail(&r), "yes\n");
}

#[test]
fn blocks_run_in_order_and_stop_at_the_first_failure() {
    let f = Fixture::new(json!({}));
    let scripts = [
        Script::new("sh", "echo one"),
        Script::new("bash", "echo two; exit 4"),
        Script::new("sh", "echo three"),
    ];
    let (r, rec) = f.run(&scripts, None, 0);
    assert_eq!(tail(&r), "one\ntwo\n");
    assert_eq!(r.exit_code, Some(4));
    assert_eq!(rec.pgids.len(), 2);
    assert_eq!(
        rec.pgids[0], rec.pgids[1],
        "the blocks of an attempt share its group"
    );
}

#[test]
fn timeout_kills_the_whole_group() {
    let f = Fixture::new(json!({}));
    let code = "sleep 100 & echo $! > pids; sleep 100 & echo $! >> pids; sleep 100";
    let (r, _) = f.run(
        &[Script::new("sh", code)],
        Some(Duration::from_millis(300)),
        0,
    );
    assert!(r.timed_out);
    assert!(!r.succeeded());
    assert_eq!(r.failure().as_deref(), Some("timed out"));
    assert_eq!(r.signal, Some(libc::SIGTERM));
    let pids = pids(&f.path("pids"));
    assert_eq!(pids.len(), 2);
    for pid in pids {
        assert!(wait_gone(pid, LONG), "background process {pid} survived");
    }
}

#[test]
fn sigkill_follows_when_sigterm_is_ignored() {
    let f = Fixture::new(json!({}));
    let code = "trap '' TERM; sleep 100 & echo $! > pids; while :; do :; done";
    let (r, _) = f.run(
        &[Script::new("sh", code)],
        Some(Duration::from_millis(200)),
        0,
    );
    assert!(r.timed_out);
    assert_eq!(r.signal, Some(libc::SIGKILL));
    for pid in pids(&f.path("pids")) {
        assert!(wait_gone(pid, LONG), "background process {pid} survived");
    }
}

#[test]
fn a_process_without_stdout_and_stderr_still_times_out() {
    let f = Fixture::new(json!({}));
    let (r, _) = f.run(
        &[Script::new("sh", "exec >&- 2>&-; sleep 100")],
        Some(Duration::from_millis(200)),
        0,
    );
    assert!(r.timed_out);
}

#[test]
fn the_step_ends_when_the_shell_exits_and_leftovers_are_stopped() {
    let f = Fixture::new(json!({}));
    // The background sleep keeps stdout open; the step must not wait for it.
    let (r, _) = f.sh("sleep 100 & echo $! > pids; echo started");
    assert!(r.succeeded());
    assert_eq!(tail(&r), "started\n");
    for pid in pids(&f.path("pids")) {
        assert!(wait_gone(pid, LONG), "left-over process {pid} survived");
    }
}

#[test]
fn the_cancel_hook_stops_the_group() {
    let f = Fixture::new(json!({}));
    let ready = f.path("ready");
    let mut rec = Recorder {
        stop_when: Some(Box::new(move |_| ready.exists())),
        ..Recorder::default()
    };
    let code = "sleep 100 & echo $! > pids; touch ready; sleep 100";
    let r = f.run_with(
        &[Script::new("sh", code)],
        None,
        0,
        &BTreeMap::new(),
        &mut rec,
    );
    assert!(r.cancelled);
    assert!(!r.timed_out);
    assert_eq!(r.failure().as_deref(), Some("cancelled"));
    assert!(rec.polls >= 1);
    for pid in pids(&f.path("pids")) {
        assert!(wait_gone(pid, LONG), "background process {pid} survived");
    }
}

#[test]
fn terminate_group_stops_a_step_from_outside() {
    let f = Fixture::new(json!({}));
    let ready = fifo(f.work.path(), "ready");
    let (tx, rx) = std::sync::mpsc::channel();
    struct Report(std::sync::mpsc::Sender<i32>);
    impl Observer for Report {
        fn spawned(&mut self, pgid: i32) {
            self.0.send(pgid).unwrap();
        }
    }
    let code = "sleep 100 & echo $! > pids; echo go > ready; wait";
    let result = std::thread::scope(|s| {
        let step = s.spawn(|| {
            f.run_with(
                &[Script::new("sh", code)],
                None,
                0,
                &BTreeMap::new(),
                &mut Report(tx),
            )
        });
        let pgid = rx.recv().unwrap();
        // Opening the FIFO blocks until the script has started its background process.
        assert_eq!(std::fs::read_to_string(&ready).unwrap(), "go\n");
        assert_eq!(
            terminate_group(pgid, Duration::from_secs(5)).unwrap(),
            Termination::Terminated
        );
        step.join().unwrap()
    });
    assert_eq!(result.signal, Some(libc::SIGTERM));
    assert!(
        !result.cancelled,
        "only the observer's hook marks a step cancelled"
    );
    for pid in pids(&f.path("pids")) {
        assert!(wait_gone(pid, LONG), "background process {pid} survived");
    }
}

#[test]
fn terminate_group_escalates_and_knows_a_finished_group() {
    let mut child = std::process::Command::new("sh")
        .args(["-c", "trap '' TERM; echo ready; while :; do :; done"])
        .stdout(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let pgid = child.id() as i32;
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    // The shell ignores SIGTERM, so the grace period runs out and SIGKILL follows.
    assert_eq!(
        terminate_group(pgid, Duration::from_millis(100)).unwrap(),
        Termination::Killed
    );
    let status = child.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );
    assert_eq!(
        terminate_group(pgid, Duration::from_millis(100)).unwrap(),
        Termination::AlreadyGone
    );
}

#[test]
fn terminate_group_refuses_our_own_and_every_group() {
    for pgid in [-1, 0, 1] {
        let e = terminate_group(pgid, Duration::ZERO).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    }
}

#[test]
fn a_command_too_long_for_the_kernel_says_so_and_how_to_pass_large_values() {
    let f = Fixture::new(json!({}));
    let long = format!(": {}", "x".repeat(200_000));
    let (r, rec) = f.run(&[Script::new("sh", long)], None, 3);
    assert_eq!(
        r.error.as_deref(),
        Some(
            "cannot run `sh -c`: its command is 200002 bytes once its placeholders are filled \
             in, and Linux passes at most 131071 bytes in one argument; let the command read \
             large values from their environment variables (\"$SOP_VAR_NAME\", or the file \
             \"$SOP_VAR_NAME_FILE\" names for one too large for the environment) instead of \
             `{{ name }}`"
        )
    );
    assert_eq!((r.attempts, rec.retries.len()), (1, 0), "not retried");
}

#[test]
fn a_missing_interpreter_or_directory_is_an_error_not_a_retry() {
    let f = Fixture::new(json!({}));
    let (r, rec) = f.run(&[Script::new("sh", "true")], None, 3);
    assert!(r.succeeded());
    assert!(rec.retries.is_empty());

    let mut missing = Script::new("sh", "true");
    missing.interpreter = "no-such-shell-for-sop";
    let (r, rec) = f.run(&[missing], None, 3);
    assert_eq!(
        r.error.as_deref(),
        Some("cannot run `no-such-shell-for-sop`: it is not installed or not on PATH")
    );
    assert_eq!((r.attempts, rec.retries.len()), (1, 0));

    let work = f.work.path().to_path_buf();
    drop(f.work);
    let variables = Map::new();
    let executor = Executor::new(
        RunInfo {
            run_id: "r",
            sop_name: "s",
            variables: &variables,
            workdir: &work,
            scratch_dir: f.scratch.path(),
            withheld: &[],
        },
        settings(),
    )
    .unwrap();
    let r = executor.run_step(
        &StepRequest {
            number: 1,
            scripts: &[Script::new("sh", "true")],
            timeout: None,
            retries: 2,
            deadline: None,
            earlier_outputs: &BTreeMap::new(),
            first_attempt: 1,
            not_before: None,
        },
        &mut Quiet,
    );
    assert_eq!(
        r.error,
        Some(format!(
            "the working directory {} does not exist",
            work.display()
        ))
    );
    assert!(!r.succeeded());
}

#[test]
fn a_leftover_that_ignores_sigterm_is_killed_before_the_step_ends() {
    let f = Fixture::new(json!({}));
    let (r, _) = f.sh("(trap '' TERM; exec sleep 100) & echo $! > pids; echo done");
    assert!(r.succeeded());
    assert_eq!(tail(&r), "done\n");
    for pid in pids(&f.path("pids")) {
        assert!(
            wait_gone(pid, Duration::ZERO),
            "left-over process {pid} still runs after its step ended"
        );
    }
}
