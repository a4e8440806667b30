//! Step conditions, `if = "..."` in a step's options: decided when the run reaches the step,
//! against the earlier steps' outputs and states; a false or broken condition skips the step.

use crate::run_support::{last_run, run_json};
use crate::support::Sandbox;
use serde_json::Value;

const TOML: &str = "[sop]\nname = \"probe\"\ndescription = \"Fixes only what the probe finds\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n";

const MD: &str = r#"# Probe

## Step 1: Probe
```sh
echo "ok=$SOP_VAR_ANSWER" >> "$SOP_OUTPUT"
```

## Step 2: Fix
<!-- sop: if = "steps.1.ok == 'no'", approval = "required" -->
```sh
echo fixing
```

## Step 3: Report
<!-- sop: if = "steps.1.ok == 'yes' && steps.2.status == 'skipped' && steps.1.exit_code == 0" -->
```sh
echo all good
```
"#;

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.sop("probe", TOML, MD);
    sb
}

/// `(kind, detail)` of the run's audit entries about step conditions.
fn condition_entries(sb: &Sandbox, id: &str) -> Vec<(String, Value)> {
    let audit = sb.run(&["audit", id, "--json"]).json();
    audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "step.condition" || e["kind"] == "step.skipped")
        .map(|e| (e["kind"].as_str().unwrap().to_string(), e["detail"].clone()))
        .collect()
}

#[test]
fn a_step_whose_condition_is_false_is_skipped_with_the_explanation() {
    let sb = sandbox();
    let out = sb.run(&["execute", "probe", "--vars", r#"{"answer": "yes"}"#]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stdout
            .contains("○ step 2 skipped by its condition: steps.1.ok == 'no': false ('yes')\n"),
        "{out}"
    );
    assert!(out.stdout.contains("all good\n"), "{out}");
    assert!(!out.stdout.contains("fixing"), "{out}");
    let id = last_run(&sb, "probe");
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "succeeded");
    let statuses: Vec<&str> = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["succeeded", "skipped", "succeeded"]);
    assert_eq!(
        run["steps"][1]["note"],
        "skipped by its condition: steps.1.ok == 'no': false ('yes')"
    );
    assert_eq!(
        run["gates"],
        serde_json::json!([]),
        "no gate for a skipped step"
    );

    let entries = condition_entries(&sb, &id);
    assert_eq!(entries[0].0, "step.skipped");
    assert_eq!(entries[0].1["step"], 2);
    assert_eq!(entries[0].1["reason"], "condition");
    assert_eq!(entries[0].1["condition"], "steps.1.ok == 'no'");
    assert_eq!(
        entries[0].1["explanation"],
        "steps.1.ok == 'no': false ('yes')"
    );
    assert_eq!(entries[1].0, "step.condition");
    assert_eq!(entries[1].1["step"], 3);
    assert_eq!(entries[1].1["met"], true);
    assert_eq!(sb.run(&["audit", "verify"]).code, 0);
}

#[test]
fn a_step_whose_condition_holds_runs_and_its_gate_opens_only_then() {
    let sb = sandbox();
    let out = sb.run(&["execute", "probe", "--vars", r#"{"answer": "no"}"#]);
    assert_eq!(out.code, 4, "the fix waits for its approval: {out}");
    assert!(
        out.stdout
            .contains("· step 2 condition met: steps.1.ok == 'no': true ('no')\n"),
        "{out}"
    );
    let id = last_run(&sb, "probe");
    let approve = sb.run(&["approve", &id, "--step", "2", "--as", "bob"]);
    assert_eq!(approve.code, 0, "{approve}");
    assert!(approve.stdout.contains("fixing\n"), "{approve}");
    assert!(
        approve
            .stdout
            .contains("○ step 3 skipped by its condition:"),
        "{approve}"
    );
    let run = run_json(&sb, &id);
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["steps"][1]["status"], "succeeded");
    assert_eq!(run["steps"][2]["status"], "skipped");
    let entries = condition_entries(&sb, &id);
    let kinds: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["step.condition", "step.skipped"], "{entries:?}");
}

#[test]
fn a_condition_that_cannot_be_evaluated_fails_closed_and_says_why() {
    let sb = Sandbox::new();
    sb.sop(
        "broken",
        &TOML.replace("probe", "broken"),
        "# Broken\n\n## Step 1: Probe\n```sh\necho 'count=many' >> \"$SOP_OUTPUT\"\n```\n\n## Step 2: Scale\n<!-- sop: if = \"steps.1.count > 3\" -->\n```sh\necho scaling\n```\n",
    );
    let out = sb.run(&["execute", "broken"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(!out.stdout.contains("scaling"), "{out}");
    let id = last_run(&sb, "broken");
    let run = run_json(&sb, &id);
    assert_eq!(run["steps"][1]["status"], "skipped");
    assert_eq!(
        run["steps"][1]["note"],
        "skipped by its condition: steps.1.count > 3: not met (error: cannot compare 'many' with 3)"
    );
    let entries = condition_entries(&sb, &id);
    assert_eq!(entries[0].1["reason"], "condition");
}

#[test]
fn a_secret_in_a_condition_is_not_shown() {
    let sb = Sandbox::new();
    sb.sop(
        "secretive",
        &TOML.replace("probe", "secretive"),
        "# S\n\n## Step 1: Check\n<!-- sop: if = \"api_token == 'other'\" -->\n```sh\ntrue\n```\n",
    );
    let out = sb.run(&[
        "execute",
        "secretive",
        "--vars",
        r#"{"api_token": "s3cr3t"}"#,
    ]);
    assert_eq!(out.code, 0, "{out}");
    assert!(!out.stdout.contains("s3cr3t"), "{out}");
    let id = last_run(&sb, "secretive");
    let audit = sb.run(&["audit", &id, "--json"]);
    assert!(!audit.stdout.contains("s3cr3t"), "{audit}");
    assert!(
        run_json(&sb, &id)["steps"][0]["note"]
            .as_str()
            .unwrap()
            .contains("[redacted]")
    );
}

#[test]
fn sop_check_reports_a_broken_condition_at_its_line_and_column() {
    let sb = Sandbox::new();
    sb.sop(
        "typo",
        &TOML.replace("probe", "typo"),
        "# Typo\n\n## Step 1: A\nText.\n\n## Step 2: B\n<!-- sop: if = \"steps.1.ok = 'no'\" -->\nText.\n",
    );
    let out = sb.run(&["check", "typo"]);
    assert_eq!(out.code, 2, "{out}");
    assert!(
        out.to_string().contains("[ROOT]/sops/typo/SOP.md:7:28"),
        "{out}"
    );
}

#[test]
fn show_and_a_dry_run_give_the_condition_as_written() {
    let sb = sandbox();
    let out = sb.run(&["show", "probe"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stdout.contains(
            "2. Fix [automated]\n   Options: approval required\n   If: steps.1.ok == 'no' (decided when the run reaches the step)\n"
        ),
        "{out}"
    );
    let json = sb.run(&["show", "probe", "--json"]).json();
    assert_eq!(json["steps"][1]["options"]["if"], "steps.1.ok == 'no'");
    assert!(json["steps"][0]["options"].get("if").is_none());

    let out = sb.run(&[
        "execute",
        "probe",
        "--dry-run",
        "--vars",
        r#"{"answer": "no"}"#,
    ]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stdout.contains(
            "  2. Fix (automated, timeout 1h)\n     if: steps.1.ok == 'no' (decided when the run reaches the step)\n     $ sh -c: echo fixing\n"
        ),
        "{out}"
    );
    let out = sb.run(&[
        "execute",
        "probe",
        "--dry-run",
        "--json",
        "--vars",
        r#"{"answer": "no"}"#,
    ]);
    assert_eq!(
        out.json()["steps"][1]["options"]["if"],
        "steps.1.ok == 'no'"
    );
    assert_eq!(sb.run(&["status", "--json"]).json(), serde_json::json!([]));
}

#[test]
fn sop_next_gives_the_condition_of_the_step_the_run_is_at() {
    let sb = Sandbox::new();
    sb.sop(
        "look",
        &TOML.replace("probe", "look"),
        "# Look\n\n## Step 1: Probe\n```sh\necho 'ok=no' >> \"$SOP_OUTPUT\"\n```\n\n## Step 2: Look\n<!-- sop: if = \"steps.1.ok == 'no'\" -->\nLook at the dashboard.\n",
    );
    assert_eq!(sb.run(&["execute", "look"]).code, 4);
    let id = last_run(&sb, "look");
    let out = sb.run(&["next", &id]);
    assert!(
        out.stdout
            .contains("step 2/2: Look (manual, waiting)\n  if: steps.1.ok == 'no' (met)\n"),
        "{out}"
    );
    let step = &sb.run(&["next", &id, "--json"]).json()["step"];
    assert_eq!(step["if"], "steps.1.ok == 'no'");
    assert_eq!(step["if_met"], true);
}
