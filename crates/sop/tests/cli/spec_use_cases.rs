//! The spec's four "Use Cases" SOP.toml tables, exactly as written there, pass `sop check` and
//! show in `sop list`; the two without `[[triggers]]` are started by hand.

use crate::support::Sandbox;

const USE_CASES: [(&str, &str); 4] = [
    (
        "incident-response",
        r#"[sop]
name = "incident-response"
priority = "critical"
execution_mode = "step_by_step"
"#,
    ),
    (
        "daily-backup",
        r#"[sop]
name = "daily-backup"
priority = "normal"
execution_mode = "auto"

[[triggers]]
type = "cron"
expression = "0 2 * * *"
"#,
    ),
    (
        "deploy-production",
        r#"[sop]
name = "deploy-production"
priority = "high"
execution_mode = "supervised"

[conditions]
requires = ["tests_passed", "security_scan_clean", "staging_verified"]
"#,
    ),
    (
        "employee-onboarding",
        r#"[sop]
name = "employee-onboarding"
priority = "normal"
execution_mode = "supervised"

[[triggers]]
type = "webhook"
path = "/hr/new-employee"
"#,
    ),
];

const MD: &str = "# Procedure\n\n## Step 1: Look\n\nCheck the dashboard.\n";

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    for (name, toml) in USE_CASES {
        sb.sop(name, toml, MD);
    }
    sb
}

#[test]
fn the_spec_use_cases_pass_check() {
    let mut sb = sandbox();
    sb.env("SOP_NOW", "2026-01-31T09:30:00Z");
    let out = sb.run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        ok   daily-backup: 1 step (0 automated, 1 manual)
             mode auto; gates: none
             cron `0 2 * * *` next fires 2026-02-01 02:00 UTC
        ok   deploy-production: 1 step (0 automated, 1 manual)
             mode supervised; gates: before the run starts (supervised)
        ok   employee-onboarding: 1 step (0 automated, 1 manual)
             mode supervised; gates: before the run starts (supervised)
        ok   incident-response: 1 step (0 automated, 1 manual)
             mode step_by_step; gates: before step 1 (step_by_step)

        4 SOPs checked: all valid
        --- stderr
        "#);
}

#[test]
fn sops_without_triggers_list_as_manual() {
    let out = sandbox().run(&["list"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        === SOP Engine ===
        Available SOPs: 4

        1. daily-backup 🕐 NORMAL (auto)
           Triggers: cron:0 2 * * *
           Conditions: none

        2. deploy-production ⚡ HIGH (supervised)
           Triggers: manual
           Conditions: tests_passed, security_scan_clean, staging_verified

        3. employee-onboarding 🕐 NORMAL (supervised)
           Triggers: webhook:/hr/new-employee
           Conditions: none

        4. incident-response 🚀 CRITICAL (step_by_step)
           Triggers: manual
           Conditions: none
        --- stderr
        "#);
}

#[test]
fn an_implicit_manual_trigger_shows_in_json() {
    let sb = sandbox();
    let list = sb.run(&["list", "--json"]).json();
    let incident = list["sops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "incident-response")
        .unwrap();
    assert_eq!(
        incident["triggers"],
        serde_json::json!([{"type": "manual"}])
    );
    let show = sb.run(&["show", "deploy-production", "--json"]).json();
    assert_eq!(show["triggers"], serde_json::json!([{"type": "manual"}]));
}
