//! `sop execute`: steps in order, outputs between steps, failures, retries, timeouts,
//! continue_on_error, manual steps, hostile variables, conditions, triggers and dry runs.

use crate::run_support::{audit_kinds, last_run, normalize, run_json, sandbox, vars};
use crate::support::Sandbox;

#[test]
fn a_run_executes_every_step_and_passes_outputs_along() {
    let sb = sandbox();
    let out = sb.run(&["execute", "hello", "--vars", r#"{"who": "world"}"#]);
    assert_eq!(out.code, 0, "{out}");
    let id = last_run(&sb, "hello");
    insta::assert_snapshot!(normalize(&out.stdout, &[&id]), @r"
    run [RUN] of hello (3 steps)
    ▶ step 1/3: Greet
    hello world
    ✓ step 1 succeeded ([DUR])
    ▶ step 2/3: Use the version
    template 1.2.3, env 1.2.3
    ✓ step 2 succeeded ([DUR])
    ▶ step 3/3: Finish
    run hello step 3
    ✓ step 3 succeeded ([DUR])
    ✓ run [RUN] succeeded (3 steps, [DUR])
    ");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["started_by"], "tester");
    assert_eq!(run["trigger_type"], "manual");
    assert_eq!(run["steps"][0]["outputs"]["version"], "1.2.3");
    assert_eq!(
        run["steps"][1]["output_tail"],
        "template 1.2.3, env 1.2.3\n"
    );
}

#[test]
fn the_next_step_is_started_ahead_only_where_outputs_leave_it_unchanged() {
    // Step 1 writes an output that step 2's environment and command carry, so the start of
    // step 2 made while step 1 ran (with no such output) is dropped and made anew; step 2
    // writes none, so step 3 starts from what was made while step 2 ran.
    let mut sb = sandbox();
    let trace = sb.root().join("trace.txt");
    sb.env("SOP_TRACE_FILE", &trace.display().to_string());
    let out = sb.run(&["execute", "hello", "--vars", r#"{"who": "world"}"#]);
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stdout.contains("template 1.2.3, env 1.2.3\n"), "{out}");
    let marks = std::fs::read_to_string(&trace).unwrap();
    let used: Vec<&str> = marks
        .lines()
        .filter_map(|l| l.strip_prefix("ahead "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert_eq!(used, ["3"], "{marks}");
}

#[test]
fn run_is_an_alias_and_json_prints_only_the_run_object() {
    let sb = sandbox();
    let out = sb.run(&["run", "hello", "--vars", r#"{"who": "you"}"#, "--json"]);
    assert_eq!(out.code, 0, "{out}");
    let run = out.json();
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["sop_name"], "hello");
    assert_eq!(run["steps"].as_array().unwrap().len(), 3);
    assert_eq!(run["steps"][0]["output_tail"], "hello you\n");
    assert!(run.get("definition_snapshot").is_none(), "{run}");
}

#[test]
fn a_failing_step_fails_the_run_and_nothing_after_it_runs() {
    let sb = sandbox();
    let out = sb.run(&["execute", "fails"]);
    assert_eq!(out.code, 1, "{out}");
    let id = last_run(&sb, "fails");
    assert!(out.stdout.contains("✗ step 2 failed: exit code 3"), "{out}");
    assert!(!out.stdout.contains("three"), "{out}");
    assert!(out.stderr.contains("about to fail"), "{out}");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "failed");
    assert_eq!(run["current_step"], 2);
    assert_eq!(run["reason"], "step 2 failed: exit code 3");
    let statuses: Vec<&str> = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["succeeded", "failed", "pending"]);
    assert_eq!(run["steps"][1]["exit_code"], 3);
}

#[test]
fn a_failed_attempt_is_retried_and_recorded() {
    let sb = sandbox();
    let out = sb.run(&["execute", "flaky", "--vars", &vars(&sb, &[])]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stdout
            .contains("↻ step 1 attempt 1 failed (exit code 1); retrying in"),
        "{out}"
    );
    assert!(out.stdout.contains("attempt 2"), "{out}");
    let id = last_run(&sb, "flaky");
    let run = run_json(&sb, &id);
    assert_eq!(run["steps"][0]["attempts"], 2);
    assert_eq!(run["steps"][0]["status"], "succeeded");
    assert_eq!(
        audit_kinds(&sb, &id)[3..],
        [
            "step.started",
            "step.attempt_failed",
            "step.started",
            "step.finished",
            "run.finished"
        ]
    );
}

#[test]
fn a_step_past_its_timeout_is_stopped_and_fails() {
    let sb = sandbox();
    let out = sb.run(&["execute", "slow"]);
    assert_eq!(out.code, 1, "{out}");
    assert!(out.stdout.contains("✗ step 1 failed: timed out"), "{out}");
    let run = run_json(&sb, &last_run(&sb, "slow"));
    assert_eq!(run["reason"], "step 1 failed: timed out");
    assert_eq!(run["steps"][1]["status"], "pending");
}

#[test]
fn continue_on_error_records_the_failure_and_goes_on() {
    let sb = sandbox();
    let out = sb.run(&["execute", "tolerant"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        normalize(&out.stdout, &[])
            .contains("✗ step 1 failed: exit code 1 ([DUR]); continue_on_error, the run goes on\n"),
        "{out}"
    );
    let run = run_json(&sb, &last_run(&sb, "tolerant"));
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["steps"][0]["status"], "failed");
    assert_eq!(run["steps"][0]["exit_code"], 1);
    assert_eq!(run["steps"][1]["status"], "succeeded");
}

#[test]
fn a_manual_step_waits_and_next_and_done_drive_it() {
    let sb = sandbox();
    let out = sb.run(&["execute", "manual", "--vars", r#"{"service": "api"}"#]);
    assert_eq!(out.code, 4, "{out}");
    let id = last_run(&sb, "manual");
    insta::assert_snapshot!(normalize(&out.stdout, &[&id]), @r"
    run [RUN] of manual (3 steps)
    ▶ step 1/3: Prepare
    prepared
    ✓ step 1 succeeded ([DUR])
    ⏸ step 2/3 is manual: Check the dashboard
      Open the dashboard for api and compare the error rate.
      [ ] Error rate below 1%
      [ ] No new alerts
    when it is done: sop done [RUN] [--note TEXT] [--output KEY=VALUE]
    if it failed:    sop done [RUN] --failed --note TEXT
    ⏸ run [RUN] waits for step 2 (manual)
    ");

    let next = sb.run(&["next", &id, "--json"]).json();
    assert_eq!(next["waiting_for"], "person");
    assert_eq!(next["step"]["number"], 2);
    assert_eq!(next["step"]["kind"], "manual");
    assert_eq!(
        next["step"]["checklist"],
        serde_json::json!(["Error rate below 1%", "No new alerts"])
    );
    assert_eq!(
        next["step"]["description"],
        "Open the dashboard for api and compare the error rate."
    );

    let done = sb.run(&[
        "done",
        &id,
        "--note",
        "all green\nchecked twice",
        "--output",
        "ticket=T-42",
    ]);
    assert_eq!(done.code, 0, "{done}");
    assert!(done.stdout.contains("✓ step 2 done by tester"), "{done}");
    assert!(done.stdout.contains("ticket T-42 (T-42)"), "{done}");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["steps"][1]["note"], "all green\nchecked twice");
    let shown = sb.run(&["status", &id]);
    assert!(
        shown.stdout.contains("  note: all green checked twice\n"),
        "one line per step: {shown}"
    );

    let again = sb.run(&["done", &id]);
    assert_eq!(again.code, 1, "{again}");
    assert!(
        again
            .stderr
            .contains(&format!("run {id} is already succeeded")),
        "{again}"
    );
    let next = sb.run(&["next", &id, "--json"]).json();
    assert!(next["waiting_for"].is_null(), "{next}");
}

#[test]
fn a_manual_step_reported_failed_fails_the_run() {
    let sb = sandbox();
    assert_eq!(
        sb.run(&["execute", "manual", "--vars", r#"{"service": "api"}"#])
            .code,
        4
    );
    let id = last_run(&sb, "manual");
    let usage = sb.run(&["done", &id, "--failed"]);
    assert_eq!(usage.code, 2, "{usage}");
    let out = sb.run(&["done", &id, "--failed", "--note", "dashboard is red"]);
    assert_eq!(out.code, 1, "{out}");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "failed");
    assert_eq!(
        run["reason"],
        "step 2 failed (reported by tester): dashboard is red"
    );
    assert_eq!(run["steps"][2]["status"], "pending");
}

#[test]
fn hostile_variables_arrive_verbatim_and_never_execute() {
    let sb = sandbox();
    let pwned = sb.root().join("pwned");
    let values = [
        format!("$(touch {})", pwned.display()),
        format!("`touch {}`", pwned.display()),
        "'; rm -rf ~ #".to_string(),
        format!("line one\nline two $(touch {})\n", pwned.display()),
        format!("\"; touch {}; echo \"", pwned.display()),
    ];
    for value in &values {
        let out = sb.run(&[
            "execute",
            "hostile",
            "--vars",
            &vars(&sb, &[("value", value)]),
        ]);
        assert_eq!(out.code, 0, "{out}");
        assert!(!pwned.exists(), "{value:?} executed");
        for file in ["bare.txt", "double.txt", "single.txt", "env.txt"] {
            let got = std::fs::read_to_string(sb.root().join(file)).unwrap();
            assert_eq!(&got, value, "{file} for {value:?}");
        }
    }
    assert!(
        sb.root().join(".").exists(),
        "the sandbox survived `rm -rf ~`"
    );
}

#[test]
fn unmet_conditions_skip_the_run_with_exit_3_unless_forced() {
    let sb = sandbox();
    let out = sb.run(&["execute", "gated"]);
    assert_eq!(out.code, 3, "{out}");
    let id = last_run(&sb, "gated");
    insta::assert_snapshot!(normalize(&out.stdout, &[&id]), @r"
    conditions: not met
      ✗ PROD_DOWN: not set
    run [RUN] of gated (1 step)
    ○ run [RUN] skipped: conditions not met
    ");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "skipped");
    assert_eq!(run["reason"], "conditions not met");
    assert_eq!(run["steps"][0]["status"], "skipped");
    let audit = sb.run(&["audit", &id, "--json"]).json();
    assert_eq!(audit[1]["kind"], "run.conditions");
    assert_eq!(audit[1]["detail"]["met"], false);
    assert_eq!(
        audit[1]["detail"]["items"][0]["detail"],
        "PROD_DOWN: not set"
    );

    let forced = sb.run(&["execute", "gated", "--force"]);
    assert_eq!(forced.code, 0, "{forced}");
    assert!(forced.stdout.contains("acting"), "{forced}");
    let id = last_run(&sb, "gated");
    assert_eq!(run_json(&sb, &id)["forced"], true);
    let audit = sb.run(&["audit", &id, "--json"]).json();
    assert_eq!(audit[2]["kind"], "run.forced");
    assert_eq!(
        audit[2]["detail"]["reasons"],
        serde_json::json!(["conditions not met"])
    );

    let with_fact = sandbox();
    assert_eq!(with_fact.run(&["fact", "set", "PROD_DOWN", "true"]).code, 0);
    assert_eq!(with_fact.run(&["execute", "gated"]).code, 0);
}

#[test]
fn an_sop_without_a_manual_trigger_starts_only_when_forced() {
    let sb = sandbox();
    let out = sb.run(&["execute", "scheduled"]);
    assert_eq!(out.code, 2, "{out}");
    insta::assert_snapshot!(out.stderr, @r#"
    error: `scheduled` has no manual trigger (its triggers: cron:0 2 * * *), so it does not start on demand
      = help: add `[[triggers]] type = "manual"` to its SOP.toml, or pass --force to start it anyway (recorded in the audit trail)
    "#);
    assert_eq!(sb.run(&["status", "--json"]).json(), serde_json::json!([]));

    let forced = sb.run(&["execute", "scheduled", "--force", "--as", "alice"]);
    assert_eq!(forced.code, 0, "{forced}");
    let id = last_run(&sb, "scheduled");
    let audit = sb.run(&["audit", &id, "--json"]).json();
    assert_eq!(audit[2]["kind"], "run.forced");
    assert_eq!(audit[2]["actor"], "alice");
    assert_eq!(
        audit[2]["detail"]["reasons"],
        serde_json::json!(["no manual trigger"])
    );
    assert_eq!(run_json(&sb, &id)["started_by"], "alice");
}

#[test]
fn a_dry_run_shows_everything_and_records_nothing() {
    let sb = sandbox();
    let out = sb.run(&[
        "execute",
        "hello",
        "--dry-run",
        "--vars",
        r#"{"who": "it's me", "api_token": "s3cr3t"}"#,
    ]);
    assert_eq!(out.code, 0, "{out}");
    insta::assert_snapshot!(out.stdout, @r#"
    dry run of hello (3 steps): nothing runs and no run is recorded
    conditions: none
    mode: auto
    gates: none
    environment: SOP_VAR_API_TOKEN, SOP_VAR_WHO, SOP_VARS, SOP_RUN_ID, SOP_NAME, SOP_STEP, SOP_ATTEMPT, SOP_OUTPUT
    steps:
      1. Greet (automated, timeout 1h)
         $ sh -c: echo "hello "'it'\''s me'""
           echo "version=1.2.3" >> "$SOP_OUTPUT"
      2. Use the version (automated, timeout 1h)
         $ sh -c: echo "template {{ steps.1.version }}, env $SOP_STEP_1_VERSION"
      3. Finish (automated, timeout 1h)
         $ sh -c: echo "run $SOP_NAME step $SOP_STEP"
    would start: yes
    "#);
    assert_eq!(sb.run(&["status", "--json"]).json(), serde_json::json!([]));

    let unmet = sb.run(&["execute", "gated", "--dry-run"]);
    assert_eq!(unmet.code, 3, "{unmet}");
    assert!(unmet.stdout.contains("✗ PROD_DOWN: not set"), "{unmet}");
    assert!(
        unmet
            .stdout
            .contains("would start: no (conditions not met)"),
        "{unmet}"
    );

    let json = sb.run(&["execute", "manual", "--dry-run", "--json"]);
    assert_eq!(json.code, 0, "{json}");
    let plan = json.json();
    assert_eq!(plan["would_start"], true);
    assert_eq!(plan["steps"][1]["kind"], "manual");
    assert_eq!(
        plan["steps"][0]["commands"][0]["command"],
        "echo prepared\n"
    );
}

#[test]
fn a_dry_run_without_the_variables_its_commands_need_shows_the_plan_and_what_is_missing() {
    let sb = sandbox();
    let out = sb.run(&["execute", "hello", "--dry-run"]);
    assert_eq!(out.code, 2, "{out}");
    assert!(
        out.stdout.contains(r#"$ sh -c: echo "hello {{ who }}""#),
        "{out}"
    );
    assert!(
        out.stdout.ends_with(
            "would start: no (variables missing)\n  hello/SOP.md:6:13: step 1 `Greet`: variable `who` is not defined\n  = help: pass the missing variables with --vars '{\"name\": \"value\"}'\n"
        ),
        "{out}"
    );
    let json = sb.run(&["execute", "hello", "--dry-run", "--json"]);
    assert_eq!(json.code, 2, "{json}");
    let plan = json.json();
    assert_eq!(plan["would_start"], false);
    assert_eq!(
        plan["missing_variables"],
        serde_json::json!(["hello/SOP.md:6:13: step 1 `Greet`: variable `who` is not defined"])
    );
    assert_eq!(sb.run(&["status", "--json"]).json(), serde_json::json!([]));
}

#[test]
fn bad_variables_are_refused_before_anything_runs() {
    let sb = sandbox();
    let missing = sb.run(&["execute", "hello"]);
    assert_eq!(missing.code, 2, "{missing}");
    assert!(missing.stderr.contains("cannot start `hello`"), "{missing}");
    assert!(missing.stderr.contains("`who`"), "{missing}");
    let not_object = sb.run(&["execute", "hello", "--vars", "[1, 2]"]);
    assert_eq!(not_object.code, 2, "{not_object}");
    assert!(
        not_object.stderr.contains("must be a JSON object"),
        "{not_object}"
    );
    let not_json = sb.run(&["execute", "hello", "--vars", "{who: x}"]);
    assert_eq!(not_json.code, 2, "{not_json}");
    assert_eq!(sb.run(&["status", "--json"]).json(), serde_json::json!([]));
}

#[test]
fn a_start_its_conditions_skip_is_recorded_whatever_its_commands_lack() {
    let sb = Sandbox::new();
    sb.sop(
        "gated",
        "[sop]\nname = \"gated\"\ndescription = \"d\"\nexecution_mode = \"auto\"\n\n[conditions]\nexpression = \"go == true\"\n",
        "# Gated\n\n## Step 1: Greet\n```sh\necho {{ who }}\n```\n",
    );
    let skipped = sb.run(&["execute", "gated"]);
    assert_eq!(skipped.code, 3, "{skipped}");
    assert!(
        skipped.stdout.contains("skipped: conditions not met"),
        "{skipped}"
    );
    assert_eq!(last_run(&sb, "gated").len(), 12, "the skip is recorded");
    let refused = sb.run(&["execute", "gated", "--vars", r#"{"go": true}"#]);
    assert_eq!(refused.code, 2, "{refused}");
    assert!(
        refused.stderr.contains("variable `who` is not defined"),
        "{refused}"
    );
}

#[test]
fn concurrency_one_refuses_a_second_active_run() {
    let sb = sandbox();
    assert_eq!(sb.run(&["execute", "single"]).code, 4);
    let first = last_run(&sb, "single");
    let second = sb.run(&["execute", "single"]);
    assert_eq!(second.code, 1, "{second}");
    assert!(
        second.stderr.contains(&format!(
            "allows 1 active run at a time (concurrency = 1) and has 1: {first} (waiting)"
        )),
        "{second}"
    );
    assert_eq!(sb.run(&["done", &first]).code, 0);
    assert_eq!(sb.run(&["execute", "single"]).code, 4);
}

#[test]
fn a_detached_run_is_recorded_pending_and_resume_runs_it() {
    let sb: Sandbox = sandbox();
    let out = sb.run(&["execute", "tolerant", "--detach"]);
    assert_eq!(out.code, 0, "{out}");
    let id = last_run(&sb, "tolerant");
    assert!(out.stdout.contains("recorded as pending"), "{out}");
    assert_eq!(run_json(&sb, &id)["status"], "pending");
    let resumed = sb.run(&["resume", &id]);
    assert_eq!(resumed.code, 0, "{resumed}");
    assert_eq!(run_json(&sb, &id)["status"], "succeeded");
}

#[test]
fn editing_the_sop_never_changes_a_started_run() {
    let sb = sandbox();
    assert_eq!(
        sb.run(&["execute", "manual", "--vars", r#"{"service": "api"}"#])
            .code,
        4
    );
    let id = last_run(&sb, "manual");
    let md = sb.sops_dir().join("manual/SOP.md");
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, text.replace("echo \"ticket", "echo \"EDITED ticket")).unwrap();
    let done = sb.run(&["done", &id, "--output", "ticket=T-1"]);
    assert_eq!(done.code, 0, "{done}");
    assert!(done.stdout.contains("ticket T-1"), "{done}");
    assert!(!done.stdout.contains("EDITED"), "{done}");
}

#[test]
fn several_processes_run_different_runs_against_one_database() {
    let sb = sandbox();
    let children: Vec<_> = (0..6)
        .map(|i| {
            let who = format!(r#"{{"who": "p{i}"}}"#);
            crate::run_support::spawn(&sb, &["execute", "hello", "--vars", &who], &[])
        })
        .collect();
    for child in children {
        let out = crate::run_support::finish(&sb, child);
        assert_eq!(out.code, 0, "{out}");
        assert!(!out.stderr.contains("locked"), "{out}");
    }
    let runs = sb.run(&["status", "--sop", "hello", "--json"]).json();
    assert_eq!(runs.as_array().unwrap().len(), 6);
    assert!(
        runs.as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "succeeded")
    );
    assert_eq!(sb.run(&["audit", "verify"]).code, 0);
}

#[test]
fn a_run_works_in_a_private_temp_dir_removed_when_it_ends_but_kept_for_a_retry() {
    let sb = sandbox();
    let tmp = sb.root().join("tmp");
    let entries = || std::fs::read_dir(&tmp).unwrap().count();
    assert_eq!(sb.run(&["execute", "tolerant"]).code, 0);
    assert_eq!(entries(), 0, "a succeeded run leaves nothing behind");
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    let id = last_run(&sb, "fails");
    let shown = run_json(&sb, &id)["workdir"].as_str().unwrap().to_string();
    assert!(shown.starts_with("[ROOT]/tmp/sop-run-"), "{shown}");
    let dir = shown.replace("[ROOT]", &sb.root().display().to_string());
    assert!(
        std::path::Path::new(&dir).is_dir(),
        "a failed run keeps its workdir"
    );
    let skip = sb.run(&["skip", &id, "--step", "2", "--reason", "fine"]);
    assert_eq!(skip.code, 0, "{skip}");
    assert!(
        !std::path::Path::new(&dir).exists(),
        "removed once the run ended"
    );
}

#[test]
fn a_secret_a_step_passes_on_as_an_output_is_not_shown_in_json_or_text() {
    let sb = sandbox();
    sb.sop(
        "leaky",
        "[sop]\nname = \"leaky\"\ndescription = \"Passes a secret on\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Leaky\n\n## Step 1: Pass it on\n\n```sh\necho \"copy=$SOP_VAR_DB_PASSWORD\" >> \"$SOP_OUTPUT\"\necho \"session_token=abc123\" >> \"$SOP_OUTPUT\"\necho \"plain=visible\" >> \"$SOP_OUTPUT\"\n```\n",
    );
    let out = sb.run(&[
        "execute",
        "leaky",
        "--json",
        "--vars",
        r#"{"db_password": "hunter22"}"#,
    ]);
    assert_eq!(out.code, 0, "{out}");
    let run = out.json();
    assert_eq!(
        run["steps"][0]["outputs"],
        serde_json::json!({"copy": "[redacted]", "session_token": "[redacted]", "plain": "visible"})
    );
    let id = run["id"].as_str().unwrap();
    for args in [
        &["status", id, "--json"][..],
        &["status", id],
        &["next", id, "--json"],
    ] {
        let shown = sb.run(args);
        assert!(!shown.stdout.contains("hunter22"), "{args:?}: {shown}");
        assert!(!shown.stdout.contains("abc123"), "{args:?}: {shown}");
    }
}

#[test]
fn output_without_a_final_newline_never_shares_a_line_with_what_follows() {
    let sb = sandbox();
    sb.sop(
        "partial",
        "[sop]\nname = \"partial\"\ndescription = \"Prints no newline\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Partial\n\n## Step 1: Try\n\n<!-- sop: retries = 1 -->\n\n```sh\nprintf 'try %s' \"$SOP_ATTEMPT\"\n[ \"$SOP_ATTEMPT\" -ge 2 ]\n```\n",
    );
    let out = sb.run(&["execute", "partial"]);
    assert_eq!(out.code, 0, "{out}");
    insta::assert_snapshot!(normalize(&out.stdout, &[&last_run(&sb, "partial")]), @r"
    run [RUN] of partial (1 step)
    ▶ step 1/1: Try
    try 1
    ↻ step 1 attempt 1 failed (exit code 1); retrying in [DUR]
    try 2
    ✓ step 1 succeeded ([DUR])
    ✓ run [RUN] succeeded (1 step, [DUR])
    ");
    let logs = sb
        .cmd(&["logs", &last_run(&sb, "partial"), "--step", "1"])
        .output()
        .unwrap();
    assert_eq!(
        logs.stdout, b"try 1try 2",
        "the stored output is what the step printed"
    );
}

#[test]
fn variables_come_from_a_file_and_one_too_large_for_a_command_fails_its_step_saying_why() {
    let sb = sandbox();
    sb.file("vars.json", r#"{"who": "from a file"}"#);
    let out = sb.run(&["execute", "hello", "--vars", "@vars.json"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stdout.contains("hello from a file"), "{out}");

    // Too large for the environment, the value is handed as a file; but the step writes it
    // into its command, which Linux does not take either.
    let big = serde_json::json!({"who": "x".repeat(200_000)});
    sb.file("big.json", big.to_string());
    let out = sb.run(&["execute", "hello", "--vars", "@big.json"]);
    assert_ne!(out.code, 0, "{out}");
    assert!(
        out.to_string()
            .contains("once its placeholders are filled in, and Linux passes at most 131071 bytes in one argument"),
        "{out}"
    );
    assert_eq!(
        sb.run(&["status", "--json"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
