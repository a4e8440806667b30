//! `sop list`: the spec's Output Format on the bundled examples, broken SOPs listed with their
//! problems, and every way the SOP directory itself can be wrong.

use crate::support::Sandbox;

#[test]
fn the_examples_print_the_spec_output_format() {
    let out = Sandbox::with_examples().run(&["list"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        === SOP Engine ===
        Available SOPs: 5

        1. cleanup-logs 🧹 LOW (auto)
           Triggers: cron:0 0 * * 0
           Conditions: disk_usage > 80%

        2. daily-backup 🕐 NORMAL (auto)
           Triggers: cron:0 2 * * *
           Conditions: none

        3. deploy-prod 🚀 CRITICAL (step_by_step)
           Triggers: manual
           Conditions: tests_passed, staging_verified

        4. employee-onboarding 🕐 NORMAL (supervised)
           Triggers: webhook:/hr/new-employee, manual
           Conditions: none

        5. incident-response ⚡ HIGH (supervised)
           Triggers: webhook:/incident, manual
           Conditions: ON_CALL_AVAILABLE, PROD_DOWN
        --- stderr
        "#);
}

#[test]
fn the_examples_as_json() {
    let out = Sandbox::with_examples().run(&["list", "--json"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        {
          "count": 5,
          "dir": "[ROOT]/sops",
          "sops": [
            {
              "conditions": [
                "disk_usage > 80%"
              ],
              "description": "Archive and remove old log files when the disk fills up",
              "execution_mode": "auto",
              "icon": "🧹",
              "name": "cleanup-logs",
              "priority": "low",
              "steps": 4,
              "triggers": [
                {
                  "expression": "0 0 * * 0",
                  "type": "cron"
                }
              ],
              "valid": true,
              "version": "1.0.0"
            },
            {
              "conditions": [],
              "description": "Archive the data directory every night and verify the archive",
              "execution_mode": "auto",
              "icon": "🕐",
              "name": "daily-backup",
              "priority": "normal",
              "steps": 4,
              "triggers": [
                {
                  "expression": "0 2 * * *",
                  "type": "cron"
                }
              ],
              "valid": true,
              "version": "1.2.0"
            },
            {
              "conditions": [
                "tests_passed",
                "staging_verified"
              ],
              "description": "Deploy a release to production, one approved step at a time",
              "execution_mode": "step_by_step",
              "icon": "🚀",
              "name": "deploy-prod",
              "priority": "critical",
              "steps": 5,
              "triggers": [
                {
                  "type": "manual"
                }
              ],
              "valid": true,
              "version": "2.0.0"
            },
            {
              "conditions": [],
              "description": "Welcome a new employee: accounts, equipment and introductions",
              "execution_mode": "supervised",
              "icon": "🕐",
              "name": "employee-onboarding",
              "priority": "normal",
              "steps": 4,
              "triggers": [
                {
                  "path": "/hr/new-employee",
                  "type": "webhook"
                },
                {
                  "type": "manual"
                }
              ],
              "valid": true,
              "version": "1.1.0"
            },
            {
              "conditions": [
                "ON_CALL_AVAILABLE",
                "PROD_DOWN"
              ],
              "description": "Handle production incidents",
              "execution_mode": "supervised",
              "icon": "⚡",
              "name": "incident-response",
              "priority": "high",
              "steps": 6,
              "triggers": [
                {
                  "path": "/incident",
                  "type": "webhook"
                },
                {
                  "type": "manual"
                }
              ],
              "valid": true,
              "version": "1.0.0"
            }
          ],
          "valid": 5
        }
        --- stderr
        "#);
}

#[test]
fn broken_sops_are_listed_with_their_problems_and_exit_2() {
    let out = Sandbox::with_fixture("broken").run(&["list"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        === SOP Engine ===
        Available SOPs: 12

        1. Bad Name ✗ INVALID
           error: [ROOT]/sops/Bad Name: `Bad Name` is not a valid SOP name: the name contains an upper-case letter (help: rename the folder; use lowercase letters, digits, `-` and `_`, starting with a letter or digit (e.g. `deploy-prod`))

        2. bad-condition ✗ INVALID
           error: [ROOT]/sops/bad-condition/SOP.toml:8:39: in condition `error_rate >`: expected a value after `>`, found the end of the expression (help: a value is a name, a number, a quoted string, true, false, null, a [list] or a (group))
           error: [ROOT]/sops/bad-condition/SOP.toml:9:36: in condition `severity >= 'high' &&`: expected a value after `&&`, found the end of the expression (help: a value is a name, a number, a quoted string, true, false, null, a [list] or a (group))

        3. bad-meta ✗ INVALID
           error: [ROOT]/sops/bad-meta/SOP.toml:3:1: unknown key `descripton` in [sop] (help: did you mean `description`?)
           error: [ROOT]/sops/bad-meta/SOP.toml:4:11: `version` is not semantic versioning: unexpected end of input while parsing minor version number (help: write MAJOR.MINOR.PATCH, e.g. version = "1.0.0")
           error: [ROOT]/sops/bad-meta/SOP.toml:5:12: `urgent` is not a valid `priority` (help: expected one of: `low`, `normal`, `high` or `critical`)
           ... and 3 more; run `sop check bad-meta`

        4. bad-steps ✗ INVALID
           error: [ROOT]/sops/bad-steps/SOP.md:4:11: unknown key `timout` in step options (help: did you mean `timeout`?)
           error: [ROOT]/sops/bad-steps/SOP.md:4:37: `retries` in step options must be an integer, found a string (help: write a whole number without quotes, e.g. retries = 2)
           error: [ROOT]/sops/bad-steps/SOP.md:7:1: step 2 is missing: step 1 is followed by step 3 (help: number the steps 1, 2, 3, ... in the order they appear)
           ... and 1 more; run `sop check bad-steps`

        5. bad-triggers ✗ INVALID
           error: [ROOT]/sops/bad-triggers/SOP.toml:6:17: invalid cron expression: the hour field `25` is not valid: `25` is out of range (hour takes 0-23, `*`, lists `a,b`, ranges `a-b` and steps `*/n` or `a-b/n`) (help: write five fields `minute hour day-of-month month day-of-week`, e.g. "0 2 * * *" for 02:00 every day, or six with a leading second, e.g. "*/30 * * * * *")
           error: [ROOT]/sops/bad-triggers/SOP.toml:7:12: `Europe/Atlantis` is not an IANA time zone (help: use a name from the IANA database, e.g. "UTC", "Europe/Paris" or "America/New_York")
           error: [ROOT]/sops/bad-triggers/SOP.toml:11:8: invalid webhook path `hooks/deploy`: the path must start with `/` (help: write a path such as `/hr/new-employee`: letters, digits, `-`, `_` and `.` between slashes)
           ... and 3 more; run `sop check bad-triggers`

        6. good 🕐 NORMAL (supervised)
           Triggers: manual
           Conditions: none

        7. hook-a 🕐 NORMAL (supervised)
           Triggers: webhook:/deploy
           Conditions: none

        8. hook-b ✗ INVALID
           error: [ROOT]/sops/hook-b/SOP.toml:6:8: webhook path `/deploy` is already used by SOP `hook-a` (help: each webhook path starts one SOP; change one of them (the other is at [ROOT]/sops/hook-a/SOP.toml:6:8))

        9. no-steps ✗ INVALID
           error: [ROOT]/sops/no-steps/SOP.md:1:1: SOP.md has no steps (help: a step is a level-2 heading: add `## Step 1: Title` followed by its text)

        10. only-md ✗ INVALID
           error: [ROOT]/sops/only-md/SOP.toml: the file is missing (help: every SOP folder needs both SOP.toml and SOP.md; this one only has SOP.md)

        11. only-toml ✗ INVALID
           error: [ROOT]/sops/only-toml/SOP.md: the file is missing (help: every SOP folder needs both SOP.toml and SOP.md; this one only has SOP.toml)

        12. renamed ✗ INVALID
           error: [ROOT]/sops/renamed/SOP.toml:2:8: name `renamed-later` does not match its folder `renamed` (help: the name is the folder name: write name = "renamed" or rename the folder)
        --- stderr
        error: 10 of 12 SOPs are invalid; run `sop check` for details
        "#);
}

#[test]
fn broken_sops_in_json_carry_their_errors() {
    let out = Sandbox::with_fixture("broken").run(&["list", "--json"]);
    assert_eq!(out.code, 2, "{out}");
    let json = out.json();
    assert_eq!(json["count"], 12);
    assert_eq!(json["valid"], 2);
    let renamed = &json["sops"][11];
    insta::assert_snapshot!(serde_json::to_string_pretty(renamed).unwrap(), @r#"
        {
          "errors": [
            {
              "col": 8,
              "file": "[ROOT]/sops/renamed/SOP.toml",
              "help": "the name is the folder name: write name = \"renamed\" or rename the folder",
              "line": 2,
              "message": "name `renamed-later` does not match its folder `renamed`"
            }
          ],
          "name": "renamed",
          "valid": false
        }
        "#);
}

#[test]
fn a_missing_sop_directory_is_an_error() {
    let mut sb = Sandbox::new();
    sb.env("SOP_DIR", "/nonexistent/sops");
    let out = sb.run(&["list"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        --- stderr
        error: the SOP directory /nonexistent/sops does not exist
          = help: point --dir or SOP_DIR at the folder that holds one sub-folder per SOP
        "#);
}

#[test]
fn an_empty_sop_directory_is_an_error() {
    let out = Sandbox::new().run(&["list"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        --- stderr
        error: the SOP directory [ROOT]/sops holds no SOPs
          = help: create <dir>/<name>/SOP.toml and <dir>/<name>/SOP.md (see docs/sop-format.md)
        "#);
}

#[test]
fn one_sops_folder_given_as_the_sop_directory_points_at_its_parent() {
    let sb = Sandbox::with_examples();
    let dir = sb.sops_dir().join("deploy-prod");
    let out = sb.run(&["--dir", dir.to_str().unwrap(), "list"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        --- stderr
        error: [ROOT]/sops/deploy-prod is one SOP's folder, not the SOP directory that holds SOP folders
          = help: point --dir or SOP_DIR at its parent directory
        "#);
}

#[test]
fn a_file_given_as_sop_directory_is_an_error() {
    let sb = Sandbox::new();
    sb.file("plain-file", "not a directory");
    let out = sb.run(&["--dir", "plain-file", "list"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        --- stderr
        error: the SOP directory plain-file is not a directory
          = help: point --dir or SOP_DIR at the folder that holds one sub-folder per SOP
        "#);
}

#[test]
fn dot_folders_and_top_level_files_are_not_sops() {
    let sb = Sandbox::new();
    sb.sop(
        "only-one",
        "[sop]\nname = \"only-one\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "## Step 1: Do it\n",
    )
    .file("sops/.git/config", "[core]\n")
    .file("sops/.drafts/SOP.toml", "not even toml")
    .file("sops/oncall.toml", "# the on-call schedule\n")
    .file("sops/maintenance.toml", "# maintenance windows\n")
    .file("sops/README.md", "# Our SOPs\n");
    let out = sb.run(&["list"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        === SOP Engine ===
        Available SOPs: 1

        1. only-one 🕐 NORMAL (supervised)
           Triggers: manual
           Conditions: none
        --- stderr
        "#);
}

#[test]
fn the_dir_flag_wins_over_the_environment_and_env_file() {
    let sb = Sandbox::with_examples();
    sb.file(".env", "SOP_DIR=sops\n")
        .file(
            "other/elsewhere/SOP.toml",
            "[sop]\nname = \"elsewhere\"\npriority = \"low\"\nicon = \"📦\"\n\n[[triggers]]\ntype = \"event\"\nevent = \"deploy.*\"\n",
        )
        .file("other/elsewhere/SOP.md", "## Step 1: Do it\n");
    let out = sb.run(&["--dir", "other", "list"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        === SOP Engine ===
        Available SOPs: 1

        1. elsewhere 📦 LOW (supervised)
           Triggers: event:deploy.*
           Conditions: none
        --- stderr
        "#);
}

#[test]
fn sop_dir_is_read_from_the_env_file() {
    let sb = Sandbox::with_examples();
    sb.file(".env", "SOP_DIR=sops\n");
    let mut cmd = sb.cmd(&["list", "--json"]);
    cmd.env_remove("SOP_DIR");
    let out = sb.output(cmd);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(out.json()["dir"], "sops");
    assert_eq!(out.json()["count"], 5);
}

#[test]
fn only_the_env_file_of_the_working_directory_is_read() {
    let sb = Sandbox::with_examples();
    let sops = sb.sops_dir();
    sb.file(".env", format!("SOP_DIR={}\n", sops.display()));
    sb.file("elsewhere/README", "not an SOP dir");
    let mut cmd = sb.cmd(&["list", "--json"]);
    cmd.env_remove("SOP_DIR")
        .current_dir(sb.root().join("elsewhere"));
    let out = sb.output(cmd);
    // The parent's .env is not this directory's configuration.
    assert!(!out.to_string().contains("[ROOT]/sops"), "{out}");
}

#[test]
fn list_has_help() {
    let out = Sandbox::new().run(&["list", "--help"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stdout.contains("Usage: sop list [OPTIONS]"), "{out}");
    assert!(out.stdout.contains("--json"), "{out}");
}
