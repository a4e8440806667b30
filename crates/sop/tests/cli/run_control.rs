//! Controlling runs from other processes: cancel, pause and resume, retry and skip, and what
//! `status` and `logs` show.

use crate::run_support::{
    finish, last_run, normalize, run_json, sandbox, spawn, vars, wait_for_file,
};

#[test]
fn cancel_stops_a_running_step_from_another_process() {
    let sb = sandbox();
    let child = spawn(&sb, &["execute", "sleeper", "--vars", &vars(&sb, &[])], &[]);
    wait_for_file(&sb.root().join("started"));
    let id = last_run(&sb, "sleeper");
    let cancel = sb.run(&["cancel", &id, "--reason", "wrong window"]);
    assert_eq!(cancel.code, 0, "{cancel}");
    assert!(
        cancel.stdout.contains(&format!(
            "■ run {id} cancelled: cancelled by tester: wrong window"
        )),
        "{cancel}"
    );
    let out = finish(&sb, child);
    assert_eq!(out.code, 5, "{out}");
    assert!(out.stdout.contains("■ step 1 cancelled"), "{out}");
    assert!(!out.stdout.contains("after"), "{out}");

    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "cancelled");
    assert_eq!(run["steps"][0]["status"], "cancelled");
    assert_eq!(run["steps"][1]["status"], "pending");
    assert_eq!(run["current_step"], 1, "the run stopped at step 1: {run}");
    let listed = sb.run(&["status", "--sop", "sleeper"]);
    assert!(listed.stdout.contains("cancelled"), "{listed}");
    assert!(listed.stdout.contains("1/2"), "{listed}");

    let again = sb.run(&["cancel", &id]);
    assert_eq!(again.code, 1, "{again}");
    assert_eq!(
        again.stderr,
        format!("error: run {id} is already cancelled\n")
    );
}

#[test]
fn pause_stops_before_the_next_step_and_resume_goes_on() {
    let sb = sandbox();
    let child = spawn(&sb, &["execute", "sleeper", "--vars", &vars(&sb, &[])], &[]);
    wait_for_file(&sb.root().join("started"));
    let id = last_run(&sb, "sleeper");
    let pause = sb.run(&["pause", &id]);
    assert_eq!(pause.code, 0, "{pause}");
    assert!(
        pause.stdout.contains("pauses after step 1 finishes"),
        "{pause}"
    );
    assert_eq!(run_json(&sb, &id)["status"], "paused");
    std::fs::write(sb.root().join("release"), "").unwrap();
    let out = finish(&sb, child);
    assert_eq!(out.code, 4, "{out}");
    assert!(out.stdout.contains("released"), "{out}");
    assert!(!out.stdout.contains("after"), "{out}");
    assert!(out.stdout.contains("is paused before step 2"), "{out}");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "paused");
    assert_eq!(
        run["reason"], "paused by tester",
        "the step's end keeps it: {run}"
    );
    assert_eq!(run["steps"][0]["status"], "succeeded");
    assert_eq!(run["steps"][1]["status"], "pending");

    let paused_again = sb.run(&["pause", &id]);
    assert_eq!(paused_again.code, 1, "{paused_again}");
    assert!(
        paused_again.stderr.contains(&format!("run {id} is paused")),
        "{paused_again}"
    );

    let resume = sb.run(&["resume", &id]);
    assert_eq!(resume.code, 0, "{resume}");
    assert!(resume.stdout.contains("after"), "{resume}");
    assert_eq!(run_json(&sb, &id)["status"], "succeeded");
    let late = sb.run(&["resume", &id]);
    assert_eq!(late.code, 1, "{late}");
    assert!(
        late.stderr
            .contains(&format!("run {id} is already succeeded")),
        "{late}"
    );
}

#[test]
fn a_failed_run_can_be_retried_or_skipped_past() {
    let sb = sandbox();
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    let id = last_run(&sb, "fails");
    let retry = sb.run(&["retry", &id]);
    assert_eq!(retry.code, 1, "{retry}");
    assert_eq!(run_json(&sb, &id)["steps"][1]["attempts"], 2);

    let wrong = sb.run(&["skip", &id, "--step", "1", "--reason", "nope"]);
    assert_eq!(wrong.code, 1, "{wrong}");
    assert!(
        wrong.stderr.contains(&format!(
            "step 1 of run {id} is succeeded; step 2 is the one to skip"
        )),
        "{wrong}"
    );
    let skip = sb.run(&["skip", &id, "--step", "2", "--reason", "known flaky"]);
    assert_eq!(skip.code, 0, "{skip}");
    assert!(skip.stdout.contains("three"), "{skip}");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["steps"][1]["status"], "skipped");
    assert_eq!(run["steps"][1]["note"], "skipped by tester: known flaky");
}

#[test]
fn status_lists_runs_and_shows_one_in_detail() {
    let sb = sandbox();
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    let failed = last_run(&sb, "fails");
    assert_eq!(
        sb.run(&[
            "execute",
            "hello",
            "--vars",
            r#"{"who": "x", "api_token": "s3cr3t"}"#
        ])
        .code,
        0
    );
    let hello = last_run(&sb, "hello");

    let list = sb.run(&["status"]);
    assert_eq!(list.code, 0, "{list}");
    let widths: Vec<usize> = list
        .stdout
        .lines()
        .map(|l| l.find(" SOP").unwrap_or(0))
        .collect();
    assert!(
        widths.windows(2).all(|w| w[0] == w[1] || w[1] == 0),
        "columns align:\n{list}"
    );
    let collapsed = normalize(&list.stdout, &[&failed, &hello])
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(collapsed, @r"
    RUN SOP STATUS STARTED DURATION STEP
    [RUN] hello succeeded [TIME] [DUR] 3/3
    [RUN] fails failed [TIME] [DUR] 2/3
    ");
    let only = sb.run(&["status", "--status", "failed", "--json"]).json();
    assert_eq!(only.as_array().unwrap().len(), 1);
    assert_eq!(only[0]["id"], failed.as_str());
    assert_eq!(only[0]["sop"], "fails");
    assert!(only[0]["duration_ms"].is_i64(), "{only}");
    let one = run_json(&sb, &failed);
    assert_eq!(one["sop"], "fails");
    assert!(one["duration_ms"].is_i64(), "{one}");
    let bad = sb.run(&["status", "--status", "broken"]);
    assert_eq!(bad.code, 2, "{bad}");

    let common = failed
        .chars()
        .zip(hello.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let ambiguous = sb.run(&["status", &failed[..common]]);
    assert_eq!(ambiguous.code, 2, "{ambiguous}");
    assert!(ambiguous.stderr.contains("is ambiguous"), "{ambiguous}");
    let detail = sb.run(&["status", &failed[..common + 1]]);
    assert_eq!(detail.code, 0, "{detail}");
    insta::assert_snapshot!(normalize(&detail.stdout, &[&failed]), @r"
    run [RUN] · fails · failed
    started by tester (as claimed by [ACCOUNT]) (manual) at [TIME]
    took [DUR]
    reason: step 2 failed: exit code 3
    definition: [HASH]
    mode: auto
    workdir: [WORKDIR]
    variables: none
    steps:
       1 ✓ succeeded  Works          exit 0 · 1 attempt · [DUR]
           │ one
       2 ✗ failed     Breaks         exit 3 · 1 attempt · [DUR]
           │ about to fail
       3 · pending    Never reached
    gates: none
    next: sop retry [RUN]  or  sop skip [RUN] --step 2 --reason TEXT
    ");

    let secret = sb.run(&["status", &hello, "--json"]);
    assert!(!secret.stdout.contains("s3cr3t"), "{secret}");
    assert_eq!(secret.json()["variables"]["api_token"], "[redacted]");
}

#[test]
fn logs_print_the_stored_output() {
    let sb = sandbox();
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    let id = last_run(&sb, "fails");
    let logs = sb.run(&["logs", &id]);
    assert_eq!(logs.code, 0, "{logs}");
    insta::assert_snapshot!(logs.stdout, @r"
    ── step 1: Works (succeeded, exit 0)
    one
    ── step 2: Breaks (failed, exit 3)
    about to fail
    ── step 3: Never reached (pending)
       (no output)
    ");
    let one = sb.run(&["logs", &id, "--step", "2"]);
    assert_eq!(one.stdout, "about to fail\n");
    let missing = sb.run(&["logs", &id, "--step", "9"]);
    assert_eq!(missing.code, 2, "{missing}");
    let unknown = sb.run(&["logs", "zzzzzz"]);
    assert_eq!(unknown.code, 2, "{unknown}");
    assert!(unknown.stderr.contains("no run `zzzzzz`"), "{unknown}");
}

#[test]
fn every_command_naming_a_run_refuses_an_unknown_or_ambiguous_id_as_bad_input() {
    let mut sb = sandbox();
    // Two runs created in the same second share the first seven characters of their ids.
    sb.env("SOP_NOW", "2026-01-31T09:00:00Z");
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    let runs = sb.run(&["status", "--json"]).json();
    let mut ids = [
        runs[0]["id"].as_str().unwrap(),
        runs[1]["id"].as_str().unwrap(),
    ];
    ids.sort_unstable();
    let [a, b] = ids;
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let prefix = &a[..common];
    let commands: [&[&str]; 12] = [
        &["status"],
        &["logs"],
        &["next"],
        &["audit"],
        &["done"],
        &["pause"],
        &["resume"],
        &["cancel"],
        &["retry"],
        &["skip", "--step", "1", "--reason", "x"],
        &["approve"],
        &["reject", "--comment", "x"],
    ];
    for cmd in commands {
        let with = |id: &str| {
            let mut args = vec![cmd[0], id];
            args.extend_from_slice(&cmd[1..]);
            sb.run(&args)
        };
        let unknown = with("zzzzzz");
        assert_eq!(unknown.code, 2, "{cmd:?}: {unknown}");
        assert_eq!(
            unknown.stderr, "error: no run `zzzzzz`; `sop status` lists recent runs\n",
            "{cmd:?}"
        );
        let ambiguous = with(prefix);
        assert_eq!(ambiguous.code, 2, "{cmd:?}: {ambiguous}");
        assert!(
            ambiguous.stderr.contains(&format!(
                "run id prefix `{prefix}` is ambiguous: it matches {a}, {b}"
            )),
            "{cmd:?}: {ambiguous}"
        );
    }
}

#[test]
fn a_database_url_sop_cannot_use_is_bad_input() {
    let mut sb = sandbox();
    sb.env("SOP_DATABASE_URL", "mysql://db.example/sop");
    let out = sb.run(&["status"]);
    assert_eq!(out.code, 2, "{out}");
    assert_eq!(
        out.stderr,
        "error: invalid database location `mysql://db.example/sop`: unsupported scheme; use sqlite:PATH or postgres://USER@HOST:PORT/DB\n"
    );
}

#[test]
fn logs_of_one_step_are_the_stored_bytes() {
    let sb = sandbox();
    sb.sop(
        "binary",
        "[sop]\nname = \"binary\"\ndescription = \"Prints bytes that are not UTF-8\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Binary\n\n## Step 1: Print\n\n```sh\nprintf 'ok \\377\\376 %s\\n' \"$SOP_VAR_API_KEY\"\n```\n",
    );
    let out = sb.run(&["execute", "binary", "--vars", r#"{"api_key": "k-123"}"#]);
    assert_eq!(out.code, 0, "{out}");
    let id = last_run(&sb, "binary");
    let raw = sb.cmd(&["logs", &id, "--step", "1"]).output().unwrap();
    assert_eq!(raw.stdout, b"ok \xff\xfe [redacted]\n");
}

/// `sop ARGS` with its stdout on a pipe nobody reads any more.
fn with_closed_stdout(sb: &crate::support::Sandbox, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = sb.command(args);
    cmd.stdout(writer).stderr(std::process::Stdio::piped());
    let out = cmd.output().unwrap();
    drop(cmd);
    out
}

#[test]
fn a_reader_that_goes_away_ends_a_listing_quietly_and_never_a_run() {
    use std::os::unix::process::ExitStatusExt;
    let sb = sandbox();
    let out = with_closed_stdout(&sb, &["execute", "fails"]);
    assert_eq!(out.status.code(), Some(1), "the run's own exit code");
    assert_eq!(run_json(&sb, &last_run(&sb, "fails"))["status"], "failed");
    let out = with_closed_stdout(&sb, &["execute", "tolerant", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = with_closed_stdout(&sb, &["execute", "tolerant", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for args in [&["audit"][..], &["status"], &["audit", "--json"]] {
        let out = with_closed_stdout(&sb, args);
        assert_eq!(
            out.status.signal(),
            Some(libc::SIGPIPE),
            "{args:?}: {out:?}"
        );
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

#[test]
fn a_bad_engine_setting_is_bad_input_naming_the_setting() {
    for (key, value, says) in [
        (
            "SOP_KILL_GRACE",
            "abc",
            "invalid SOP_KILL_GRACE: invalid duration `abc`",
        ),
        (
            "SOP_RETRY_BACKOFF",
            "-1s",
            "invalid SOP_RETRY_BACKOFF: invalid duration `-1s`",
        ),
        (
            "SOP_LEASE_TTL",
            "0s",
            "invalid SOP_LEASE_TTL: a lease must last at least 1s",
        ),
    ] {
        let mut sb = sandbox();
        sb.env(key, value);
        let out = sb.run(&["execute", "tolerant"]);
        assert_eq!(out.code, 2, "{key}: {out}");
        assert!(out.stderr.starts_with(&format!("error: {says}")), "{out}");
        assert_eq!(sb.run(&["status", "--json"]).code, 2);
    }
}

#[test]
fn pause_and_cancel_print_the_run_object_with_json() {
    let sb = sandbox();
    assert_eq!(sb.run(&["execute", "fails", "--detach"]).code, 0);
    let id = last_run(&sb, "fails");
    let paused = sb.run(&["pause", &id, "--json"]);
    assert_eq!(paused.code, 0, "{paused}");
    assert_eq!(paused.json()["status"], "paused");
    let cancelled = sb.run(&["cancel", &id, "--json", "--reason", "not today"]);
    assert_eq!(cancelled.code, 0, "{cancelled}");
    let run = cancelled.json();
    assert_eq!(run["status"], "cancelled");
    assert_eq!(run["reason"], "cancelled by tester: not today");
}

/// Runs `sop ARGS` with a terminal for its stdout (through `script`), returning what it printed.
fn on_a_terminal(sb: &crate::support::Sandbox, args: &[&str]) -> String {
    let cmd = sb.command(args);
    let line = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| format!("'{}'", a.to_string_lossy().replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut script = std::process::Command::new("script");
    script.args(["-qec", &line, "/dev/null"]);
    script.current_dir(cmd.get_current_dir().unwrap());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => script.env(k, v),
            None => script.env_remove(k),
        };
    }
    let out = script.output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn control_characters_from_variables_and_output_are_shown_as_text_on_a_terminal() {
    let sb = crate::support::Sandbox::new();
    sb.sop(
        "echo",
        "[sop]\nname = \"echo\"\ndescription = \"Echoes\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Echo\n\n## Step 1: Say {{ svc }}\n```sh\nprintf 'out\\033]0;PWNED\\007\\033[1mbold\\033[0m\\n'\n```\n",
    );
    let vars = r#"{"svc": "api\u001b[2J\r  [x] all verified"}"#;
    let shown = on_a_terminal(&sb, &["execute", "echo", "--vars", vars]);
    assert!(
        !shown.contains("\u{1b}[2J") && !shown.contains("\u{1b}]0;"),
        "{shown:?}"
    );
    assert!(shown.contains("api^[[2J^M  [x] all verified"), "{shown:?}");
    assert!(
        shown.contains("out^[]0;PWNED^G\u{1b}[1mbold"),
        "colours pass: {shown:?}"
    );
    let id = crate::run_support::last_run(&sb, "echo");
    let logs = on_a_terminal(&sb, &["logs", &id, "--step", "1"]);
    assert!(logs.contains("out^[]0;PWNED^G"), "{logs:?}");
    // Piped, the output is what the step printed, byte for byte.
    let piped = sb.run(&["logs", &id, "--step", "1"]);
    assert!(piped.stdout.contains("out\u{1b}]0;PWNED\u{7}"), "{piped}");
}

#[test]
fn status_of_a_misspelt_sop_says_so_instead_of_no_runs_match() {
    let sb = sandbox();
    let typo = sb.run(&["status", "--sop", "sleepr"]);
    assert_ne!(typo.code, 0, "{typo}");
    assert!(typo.stderr.contains("no SOP named `sleepr`"), "{typo}");
    assert!(typo.stderr.contains("did you mean `sleeper`?"), "{typo}");
    let none_yet = sb.run(&["status", "--sop", "sleeper"]);
    assert_eq!(none_yet.code, 0, "{none_yet}");
    assert_eq!(none_yet.stdout, "no runs match\n");
}

#[test]
fn logs_say_output_was_cut_only_when_it_was() {
    let sb = crate::support::Sandbox::new();
    sb.sop(
        "leak",
        "[sop]\nname = \"leak\"\ndescription = \"Prints a secret\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Leak\n\n## Step 1: Print\n```sh\necho \"token is $SOP_VAR_API_TOKEN\"\n```\n",
    );
    let out = sb.run(&[
        "execute",
        "leak",
        "--vars",
        r#"{"api_token": "a-long-secret-value-0123456789"}"#,
    ]);
    assert_eq!(out.code, 0, "{out}");
    let id = crate::run_support::last_run(&sb, "leak");
    let logs = sb.run(&["logs", &id]);
    assert!(logs.stdout.contains("token is [redacted]"), "{logs}");
    // Hiding the secret shortened the stored text; nothing was cut.
    assert!(!logs.stdout.contains("(the last"), "{logs}");
}
