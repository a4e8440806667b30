//! Tests of the `if = "..."` step option: parsed at load time, errors at SOP.md line:col, and a
//! step may read only earlier steps.

use super::*;

fn step_if(md: &str, number: usize) -> Option<String> {
    let sop = parse(&source(MINIMAL, md)).unwrap();
    sop.steps[number - 1]
        .options
        .condition
        .as_ref()
        .map(|e| e.source().to_string())
}

#[test]
fn a_step_condition_is_parsed_and_kept_as_written() {
    let md = "## Step 1: Probe\n```sh\necho ok=no >> \"$SOP_OUTPUT\"\n```\n\
              ## Step 2: Fix\n<!-- sop: if = \"steps.1.ok == 'no' && env == 'prod'\", retries = 1 -->\n\
              ```sh\ntrue\n```\n";
    assert_eq!(step_if(md, 1), None);
    assert_eq!(
        step_if(md, 2).as_deref(),
        Some("steps.1.ok == 'no' && env == 'prod'")
    );
    let sop = parse(&source(MINIMAL, md)).unwrap();
    let json = serde_json::to_value(&sop.steps[1].options).unwrap();
    assert_eq!(json["if"], "steps.1.ok == 'no' && env == 'prod'");
    assert_eq!(json["retries"], 1);
    let json = serde_json::to_value(&sop.steps[0].options).unwrap();
    assert!(json.get("if").is_none(), "no `if` key when there is none");
}

#[test]
fn a_syntax_error_points_at_its_column_in_sop_md() {
    let md =
        "## Step 1: A\nText.\n\n## Step 2: B\n<!-- sop: if = \"steps.1.ok === 'no'\" -->\nText.\n";
    let errs = md_errors(md);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("demo/SOP.md:5:28: in condition `steps.1.ok === 'no'`:"),
        "{errs:?}"
    );
}

#[test]
fn a_condition_that_is_not_a_string_is_refused() {
    let errs = md_errors("## Step 1: A\n<!-- sop: if = true -->\nText.\n");
    assert_eq!(
        errs,
        [
            "demo/SOP.md:2:16: `if` in step options must be a string, found a boolean (help: put the value in double quotes: if = \"...\")"
        ]
    );
}

#[test]
fn a_step_reads_only_earlier_steps() {
    let md = "## Step 1: A\nText.\n\n## Step 2: B\n<!-- sop: if = \"steps.2.ok == 'y' || steps.3.ok == 'y' || steps.1.ok == 'y'\" -->\nText.\n\n## Step 3: C\nText.\n";
    assert_eq!(
        md_errors(md),
        [
            "demo/SOP.md:5:17: in condition `steps.2.ok == 'y' || steps.3.ok == 'y' || steps.1.ok == 'y'`: `steps.2.ok` reads step 2, which has not run when the run reaches step 2 (help: a step's condition reads earlier steps, e.g. `steps.1.key == 'yes'`)",
            "demo/SOP.md:5:38: in condition `steps.2.ok == 'y' || steps.3.ok == 'y' || steps.1.ok == 'y'`: `steps.3.ok` reads step 3, which has not run when the run reaches step 2 (help: a step's condition reads earlier steps, e.g. `steps.1.key == 'yes'`)",
        ]
    );
    let errs = md_errors("## Step 1: A\n<!-- sop: if = \"steps.deploy.ok\" -->\nText.\n");
    assert_eq!(
        errs,
        [
            "demo/SOP.md:2:17: in condition `steps.deploy.ok`: `steps.deploy.ok` names no step: `deploy` is not a step number (help: the first step has no earlier steps to read; decide it with variables, facts or built-ins)"
        ]
    );
}
