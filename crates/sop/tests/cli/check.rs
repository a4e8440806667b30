//! `sop check`: every problem of every SOP in one pass, located and explained; next cron fire
//! times; and the unsafe files the loader refuses.

use crate::support::Sandbox;

const NOW: &str = "2026-01-31T09:30:00Z";

fn sandbox_at_now(mut sb: Sandbox) -> Sandbox {
    sb.env("SOP_NOW", NOW);
    sb
}

const MINIMAL_TOML: &str = "[sop]\nname = \"demo\"\n\n[[triggers]]\ntype = \"manual\"\n";
const MINIMAL_MD: &str = "## Step 1: Do it\n- Check the thing\n";

#[test]
fn the_examples_are_valid_and_cron_triggers_show_their_next_run() {
    let out = sandbox_at_now(Sandbox::with_examples()).run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        ok   cleanup-logs: 4 steps (4 automated, 0 manual)
             mode auto; gates: none
             cron `0 0 * * 0` next fires 2026-02-01 00:00 UTC
        ok   daily-backup: 4 steps (4 automated, 0 manual)
             mode auto; gates: none
             cron `0 2 * * *` next fires 2026-02-01 02:00 UTC
        ok   deploy-prod: 5 steps (3 automated, 2 manual)
             mode step_by_step; gates: before every step (step_by_step)
        ok   employee-onboarding: 4 steps (1 automated, 3 manual)
             mode supervised; gates: before the run starts (supervised)
        ok   incident-response: 6 steps (2 automated, 4 manual)
             mode supervised; gates: before the run starts (supervised), before step 4 (approval = "required")

        5 SOPs checked: all valid
        --- stderr
        "#);
}

#[test]
fn the_examples_as_json() {
    let out = sandbox_at_now(Sandbox::with_examples()).run(&["check", "--json", "daily-backup"]);
    assert_eq!(out.code, 0, "{out}");
    let json = out.json();
    assert_eq!(json["valid"], true);
    assert_eq!(json["checked"], 1);
    assert_eq!(json["invalid"], 0);
    assert_eq!(json["problems"], 0);
    insta::assert_snapshot!(serde_json::to_string_pretty(&json["sops"]).unwrap(), @r#"
        [
          {
            "errors": [],
            "name": "daily-backup",
            "schedules": [
              {
                "expression": "0 2 * * *",
                "next": "2026-02-01T02:00:00Z",
                "timezone": "UTC"
              }
            ],
            "steps": {
              "automated": 4,
              "manual": 0,
              "total": 4
            },
            "valid": true
          }
        ]
        "#);
}

#[test]
fn every_problem_of_every_broken_sop_in_one_pass() {
    let out = sandbox_at_now(Sandbox::with_fixture("broken")).run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        FAIL Bad Name: 1 problem
        FAIL bad-condition: 2 problems
        FAIL bad-meta: 6 problems
        FAIL bad-steps: 4 problems
        FAIL bad-triggers: 6 problems
        ok   good: 1 step (0 automated, 1 manual)
             mode supervised; gates: before the run starts (supervised)
        ok   hook-a: 1 step (0 automated, 1 manual)
             mode supervised; gates: before the run starts (supervised)
        FAIL hook-b: 1 problem
        FAIL no-steps: 1 problem
        FAIL only-md: 1 problem
        FAIL only-toml: 1 problem
        FAIL renamed: 1 problem

        12 SOPs checked: 2 valid, 10 invalid (24 problems)
        --- stderr
        error: `Bad Name` is not a valid SOP name: the name contains an upper-case letter
          --> [ROOT]/sops/Bad Name
          = help: rename the folder; use lowercase letters, digits, `-` and `_`, starting with a letter or digit (e.g. `deploy-prod`)

        error: in condition `error_rate >`: expected a value after `>`, found the end of the expression
          --> [ROOT]/sops/bad-condition/SOP.toml:8:39
          |
        8 | requires = ["PROD_DOWN", "error_rate >"]
          |                                       ^
          = help: a value is a name, a number, a quoted string, true, false, null, a [list] or a (group)

        error: in condition `severity >= 'high' &&`: expected a value after `&&`, found the end of the expression
          --> [ROOT]/sops/bad-condition/SOP.toml:9:36
          |
        9 | expression = "severity >= 'high' &&"
          |                                    ^
          = help: a value is a name, a number, a quoted string, true, false, null, a [list] or a (group)

        error: unknown key `descripton` in [sop]
          --> [ROOT]/sops/bad-meta/SOP.toml:3:1
          |
        3 | descripton = "Typo in a key"
          | ^^^^^^^^^^
          = help: did you mean `description`?

        error: `version` is not semantic versioning: unexpected end of input while parsing minor version number
          --> [ROOT]/sops/bad-meta/SOP.toml:4:11
          |
        4 | version = "1.0"
          |           ^^^^^
          = help: write MAJOR.MINOR.PATCH, e.g. version = "1.0.0"

        error: `urgent` is not a valid `priority`
          --> [ROOT]/sops/bad-meta/SOP.toml:5:12
          |
        5 | priority = "urgent"
          |            ^^^^^^^^
          = help: expected one of: `low`, `normal`, `high` or `critical`

        error: `execution_mode` in [sop] must be a string, found an integer
          --> [ROOT]/sops/bad-meta/SOP.toml:6:18
          |
        6 | execution_mode = 2
          |                  ^
          = help: put the value in double quotes: execution_mode = "..."

        error: `approval_timeout`: invalid duration `10`: missing unit; use s, m, h, d or w, e.g. "90s"
          --> [ROOT]/sops/bad-meta/SOP.toml:7:20
          |
        7 | approval_timeout = "10"
          |                    ^^^^
          = help: write a number and a unit (s, m, h, d, w), e.g. "90s", "10m", "24h", "7d" or "1h30m"

        error: `concurrency` must be between 1 and 10000
          --> [ROOT]/sops/bad-meta/SOP.toml:8:15
          |
        8 | concurrency = 0
          |               ^
          = help: e.g. concurrency = 1

        error: unknown key `timout` in step options
          --> [ROOT]/sops/bad-steps/SOP.md:4:11
          |
        4 | <!-- sop: timout = "10m", retries = "two" -->
          |           ^^^^^^
          = help: did you mean `timeout`?

        error: `retries` in step options must be an integer, found a string
          --> [ROOT]/sops/bad-steps/SOP.md:4:37
          |
        4 | <!-- sop: timout = "10m", retries = "two" -->
          |                                     ^^^^^
          = help: write a whole number without quotes, e.g. retries = 2

        error: step 2 is missing: step 1 is followed by step 3
          --> [ROOT]/sops/bad-steps/SOP.md:7:1
          |
        7 | ## Step 3: Third
          | ^^^^^^^^^^^^^^^^
          = help: number the steps 1, 2, 3, ... in the order they appear

        error: step 3 appears twice (first on line 7)
           --> [ROOT]/sops/bad-steps/SOP.md:10:1
           |
        10 | ## Step 3: Third Again
           | ^^^^^^^^^^^^^^^^^^^^^^
           = help: number the steps 1, 2, 3, ... in the order they appear

        error: invalid cron expression: the hour field `25` is not valid: `25` is out of range (hour takes 0-23, `*`, lists `a,b`, ranges `a-b` and steps `*/n` or `a-b/n`)
          --> [ROOT]/sops/bad-triggers/SOP.toml:6:17
          |
        6 | expression = "0 25 * * *"
          |                 ^^
          = help: write five fields `minute hour day-of-month month day-of-week`, e.g. "0 2 * * *" for 02:00 every day, or six with a leading second, e.g. "*/30 * * * * *"

        error: `Europe/Atlantis` is not an IANA time zone
          --> [ROOT]/sops/bad-triggers/SOP.toml:7:12
          |
        7 | timezone = "Europe/Atlantis"
          |            ^^^^^^^^^^^^^^^^^
          = help: use a name from the IANA database, e.g. "UTC", "Europe/Paris" or "America/New_York"

        error: invalid webhook path `hooks/deploy`: the path must start with `/`
           --> [ROOT]/sops/bad-triggers/SOP.toml:11:8
           |
        11 | path = "hooks/deploy"
           |        ^^^^^^^^^^^^^^
           = help: write a path such as `/hr/new-employee`: letters, digits, `-`, `_` and `.` between slashes

        error: invalid event `Deploy.Failed`: the event name contains an upper-case letter
           --> [ROOT]/sops/bad-triggers/SOP.toml:15:9
           |
        15 | event = "Deploy.Failed"
           |         ^^^^^^^^^^^^^^^
           = help: write dot-separated lowercase words such as `deploy.failed`; a whole segment may be `*` (`deploy.*`)

        error: `cooldown`: invalid duration `soon`: expected a number before the unit, e.g. "90s"
           --> [ROOT]/sops/bad-triggers/SOP.toml:16:12
           |
        16 | cooldown = "soon"
           |            ^^^^^^
           = help: write a number and a unit (s, m, h, d, w), e.g. "90s", "10m", "24h", "7d" or "1h30m"

        error: unknown key `path` in a manual trigger
           --> [ROOT]/sops/bad-triggers/SOP.toml:20:1
           |
        20 | path = "/manual"
           | ^^^^
           = help: a manual trigger takes no other keys

        error: webhook path `/deploy` is already used by SOP `hook-a`
          --> [ROOT]/sops/hook-b/SOP.toml:6:8
          |
        6 | path = "/deploy"
          |        ^^^^^^^^^
          = help: each webhook path starts one SOP; change one of them (the other is at [ROOT]/sops/hook-a/SOP.toml:6:8)

        error: SOP.md has no steps
          --> [ROOT]/sops/no-steps/SOP.md:1:1
          |
        1 | # No Steps
          | ^
          = help: a step is a level-2 heading: add `## Step 1: Title` followed by its text

        error: the file is missing
          --> [ROOT]/sops/only-md/SOP.toml
          = help: every SOP folder needs both SOP.toml and SOP.md; this one only has SOP.md

        error: the file is missing
          --> [ROOT]/sops/only-toml/SOP.md
          = help: every SOP folder needs both SOP.toml and SOP.md; this one only has SOP.toml

        error: name `renamed-later` does not match its folder `renamed`
          --> [ROOT]/sops/renamed/SOP.toml:2:8
          |
        2 | name = "renamed-later"
          |        ^^^^^^^^^^^^^^^
          = help: the name is the folder name: write name = "renamed" or rename the folder
        "#);
}

#[test]
fn only_the_named_sops_are_checked() {
    let out = sandbox_at_now(Sandbox::with_fixture("broken")).run(&["check", "good", "bad-steps"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        FAIL bad-steps: 4 problems
        ok   good: 1 step (0 automated, 1 manual)
             mode supervised; gates: before the run starts (supervised)

        2 SOPs checked: 1 valid, 1 invalid (4 problems)
        --- stderr
        error: unknown key `timout` in step options
          --> [ROOT]/sops/bad-steps/SOP.md:4:11
          |
        4 | <!-- sop: timout = "10m", retries = "two" -->
          |           ^^^^^^
          = help: did you mean `timeout`?

        error: `retries` in step options must be an integer, found a string
          --> [ROOT]/sops/bad-steps/SOP.md:4:37
          |
        4 | <!-- sop: timout = "10m", retries = "two" -->
          |                                     ^^^^^
          = help: write a whole number without quotes, e.g. retries = 2

        error: step 2 is missing: step 1 is followed by step 3
          --> [ROOT]/sops/bad-steps/SOP.md:7:1
          |
        7 | ## Step 3: Third
          | ^^^^^^^^^^^^^^^^
          = help: number the steps 1, 2, 3, ... in the order they appear

        error: step 3 appears twice (first on line 7)
           --> [ROOT]/sops/bad-steps/SOP.md:10:1
           |
        10 | ## Step 3: Third Again
           | ^^^^^^^^^^^^^^^^^^^^^^
           = help: number the steps 1, 2, 3, ... in the order they appear
        "#);
}

#[test]
fn unknown_names_are_refused_with_a_suggestion() {
    let out = Sandbox::with_examples().run(&["check", "daily-bakup", "nothing-like-it"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        --- stderr
        error: no SOP named `daily-bakup` in [ROOT]/sops
          = help: did you mean `daily-backup`?
        error: no SOP named `nothing-like-it` in [ROOT]/sops
          = help: run `sop list` to see the available SOPs
        "#);
}

#[test]
fn a_cron_timezone_reads_the_schedule_in_that_zone() {
    let sb = sandbox_at_now(Sandbox::new());
    sb.sop(
        "demo",
        "[sop]\nname = \"demo\"\n\n[[triggers]]\ntype = \"cron\"\nexpression = \"0 9 * * 1-5\"\ntimezone = \"Europe/Paris\"\n\n[[triggers]]\ntype = \"cron\"\nexpression = \"@hourly\"\n",
        MINIMAL_MD,
    );
    let out = sb.run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        ok   demo: 1 step (0 automated, 1 manual)
             mode supervised; gates: before the run starts (supervised)
             cron `0 9 * * 1-5` next fires 2026-02-02 09:00 CET (Europe/Paris)
             cron `@hourly` next fires 2026-01-31 10:00 UTC

        1 SOP checked: all valid
        --- stderr
        "#);
}

#[test]
fn a_bad_cron_field_is_pointed_at_inside_the_expression() {
    let sb = Sandbox::new();
    sb.sop(
        "demo",
        "[sop]\nname = \"demo\"\n\n[[triggers]]\ntype = \"cron\"\nexpression = \"*/0 * * * *\"\n\n[[triggers]]\ntype = \"cron\"\nexpression = \"0 0  * *  FOO\"\n\n[[triggers]]\ntype = \"cron\"\nexpression = '61 * * 13 *'\n",
        MINIMAL_MD,
    );
    let out = sb.run(&["check"]);
    // Each bad field at its own column: past the quote, the doubled spaces and the first of
    // two bad fields in one expression.
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        FAIL demo: 4 problems

        1 SOP checked: 0 valid, 1 invalid (4 problems)
        --- stderr
        error: invalid cron expression: the minute field `*/0` is not valid: a step of 0 never moves on; steps start at 1 (minute takes 0-59, `*`, lists `a,b`, ranges `a-b` and steps `*/n` or `a-b/n`)
          --> [ROOT]/sops/demo/SOP.toml:6:17
          |
        6 | expression = "*/0 * * * *"
          |                 ^
          = help: write five fields `minute hour day-of-month month day-of-week`, e.g. "0 2 * * *" for 02:00 every day, or six with a leading second, e.g. "*/30 * * * * *"

        error: invalid cron expression: the day-of-week field `FOO` is not valid: `FOO` is neither a number nor a name it takes (day-of-week takes 0-7 or SUN-SAT, `*`, lists `a,b`, ranges `a-b` and steps `*/n` or `a-b/n`)
           --> [ROOT]/sops/demo/SOP.toml:10:25
           |
        10 | expression = "0 0  * *  FOO"
           |                         ^^^
           = help: write five fields `minute hour day-of-month month day-of-week`, e.g. "0 2 * * *" for 02:00 every day, or six with a leading second, e.g. "*/30 * * * * *"

        error: invalid cron expression: the minute field `61` is not valid: `61` is out of range (minute takes 0-59, `*`, lists `a,b`, ranges `a-b` and steps `*/n` or `a-b/n`)
           --> [ROOT]/sops/demo/SOP.toml:14:15
           |
        14 | expression = '61 * * 13 *'
           |               ^^
           = help: write five fields `minute hour day-of-month month day-of-week`, e.g. "0 2 * * *" for 02:00 every day, or six with a leading second, e.g. "*/30 * * * * *"

        error: invalid cron expression: the month field `13` is not valid: `13` is out of range (month takes 1-12 or JAN-DEC, `*`, lists `a,b`, ranges `a-b` and steps `*/n` or `a-b/n`)
           --> [ROOT]/sops/demo/SOP.toml:14:22
           |
        14 | expression = '61 * * 13 *'
           |                      ^^
           = help: write five fields `minute hour day-of-month month day-of-week`, e.g. "0 2 * * *" for 02:00 every day, or six with a leading second, e.g. "*/30 * * * * *"
        "#);
}

#[test]
fn invalid_utf8_is_refused_at_its_line() {
    let sb = Sandbox::new();
    sb.sop("demo", MINIMAL_TOML, MINIMAL_MD).file(
        "sops/demo/SOP.md",
        b"## Step 1: Do it\n- caf\xe9\n".as_slice(),
    );
    let out = sb.run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        FAIL demo: 1 problem

        1 SOP checked: 0 valid, 1 invalid (1 problem)
        --- stderr
        error: the file is not valid UTF-8 (invalid byte 0xe9)
          --> [ROOT]/sops/demo/SOP.md:2:6
          = help: save the file as UTF-8
        "#);
}

#[test]
fn files_over_one_mebibyte_are_refused() {
    let sb = Sandbox::new();
    let big = format!("{MINIMAL_MD}{}", "x".repeat(1024 * 1024));
    sb.sop("demo", MINIMAL_TOML, &big);
    let out = sb.run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        FAIL demo: 1 problem

        1 SOP checked: 0 valid, 1 invalid (1 problem)
        --- stderr
        error: the file is 1048611 bytes; the limit is 1 MiB (1048576 bytes)
          --> [ROOT]/sops/demo/SOP.md
          = help: split the procedure into several SOPs, or move large content out of it
        "#);
}

#[test]
fn symlinks_leading_outside_the_sop_directory_are_refused() {
    let sb = Sandbox::new();
    sb.file(
        "outside/SOP.toml",
        MINIMAL_TOML.replace("demo", "linked-dir"),
    )
    .file("outside/SOP.md", MINIMAL_MD)
    .file("secret.md", MINIMAL_MD);
    sb.sop(
        "linked-file",
        &MINIMAL_TOML.replace("demo", "linked-file"),
        "",
    );
    std::fs::remove_file(sb.sops_dir().join("linked-file/SOP.md")).unwrap();
    std::os::unix::fs::symlink(
        sb.root().join("secret.md"),
        sb.sops_dir().join("linked-file/SOP.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(sb.root().join("outside"), sb.sops_dir().join("linked-dir"))
        .unwrap();
    let out = sb.run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        FAIL linked-dir: 1 problem
        FAIL linked-file: 1 problem

        2 SOPs checked: 0 valid, 2 invalid (2 problems)
        --- stderr
        error: this is a symlink leading outside the SOP directory (to [ROOT]/outside)
          --> [ROOT]/sops/linked-dir
          = help: copy the files into the SOP directory, or point the symlink inside it

        error: this is a symlink leading outside the SOP directory (to [ROOT]/secret.md)
          --> [ROOT]/sops/linked-file/SOP.md
          = help: copy the files into the SOP directory, or point the symlink inside it
        "#);
}

#[test]
fn symlinks_inside_the_sop_directory_are_followed() {
    let sb = Sandbox::new();
    sb.sop("demo", MINIMAL_TOML, MINIMAL_MD)
        .file("sops/.shared/steps.md", MINIMAL_MD);
    std::fs::remove_file(sb.sops_dir().join("demo/SOP.md")).unwrap();
    std::os::unix::fs::symlink("../.shared/steps.md", sb.sops_dir().join("demo/SOP.md")).unwrap();
    let out = sb.run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        ok   demo: 1 step (0 automated, 1 manual)
             mode supervised; gates: before the run starts (supervised)

        1 SOP checked: all valid
        --- stderr
        "#);
}

#[test]
fn bad_folder_names_are_refused() {
    let sb = Sandbox::new();
    for name in ["Upper", "has space", "dotted.name"] {
        sb.sop(name, MINIMAL_TOML, MINIMAL_MD);
    }
    let out = sb.run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        FAIL Upper: 1 problem
        FAIL dotted.name: 1 problem
        FAIL has space: 1 problem

        3 SOPs checked: 0 valid, 3 invalid (3 problems)
        --- stderr
        error: `Upper` is not a valid SOP name: the name contains an upper-case letter
          --> [ROOT]/sops/Upper
          = help: rename the folder; use lowercase letters, digits, `-` and `_`, starting with a letter or digit (e.g. `deploy-prod`)

        error: `dotted.name` is not a valid SOP name: the name contains a dot
          --> [ROOT]/sops/dotted.name
          = help: rename the folder; use lowercase letters, digits, `-` and `_`, starting with a letter or digit (e.g. `deploy-prod`)

        error: `has space` is not a valid SOP name: the name contains a space
          --> [ROOT]/sops/has space
          = help: rename the folder; use lowercase letters, digits, `-` and `_`, starting with a letter or digit (e.g. `deploy-prod`)
        "#);
}

#[test]
fn a_step_option_and_a_duration_gone_wrong() {
    let sb = Sandbox::new();
    sb.sop(
        "demo",
        &MINIMAL_TOML.replace("[[triggers]]", "timeout = \"1.5h\"\n\n[[triggers]]"),
        "## Step 1: Do it\n<!-- sop: retries = 2, continue_on_eror = true -->\n```sh\necho hi\n```\n",
    );
    let out = sb.run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        FAIL demo: 2 problems

        1 SOP checked: 0 valid, 1 invalid (2 problems)
        --- stderr
        error: `timeout`: invalid duration `1.5h`: fractions are not accepted; combine whole units instead, e.g. "1h30m"
          --> [ROOT]/sops/demo/SOP.toml:4:11
          |
        4 | timeout = "1.5h"
          |           ^^^^^^
          = help: write a number and a unit (s, m, h, d, w), e.g. "90s", "10m", "24h", "7d" or "1h30m"

        error: unknown key `continue_on_eror` in step options
          --> [ROOT]/sops/demo/SOP.md:2:24
          |
        2 | <!-- sop: retries = 2, continue_on_eror = true -->
          |                        ^^^^^^^^^^^^^^^^
          = help: did you mean `continue_on_error`?
        "#);
}

#[test]
fn bad_settings_are_reported_with_the_sops_not_instead_of_them() {
    let mut sb = sandbox_at_now(Sandbox::new());
    sb.sop("demo", MINIMAL_TOML, MINIMAL_MD);
    sb.env("SOP_TIMEZONE", "Europe/Berln");
    sb.env("SOP_PRIORITY_MODES", "hgh=auto");
    let out = sb.run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        ok   demo: 1 step (0 automated, 1 manual)
             mode supervised; gates: before the run starts (supervised)
        FAIL settings: 2 problems

        1 SOP checked: all valid; 2 problems in calendar files or settings
        --- stderr
        error: SOP_TIMEZONE: unknown time zone `Europe/Berln`; use an IANA name such as "Europe/Berlin" or "UTC"

        error: SOP_PRIORITY_MODES: invalid priority mapping `hgh=auto`: `hgh=auto`: unknown priority `hgh`; use low, normal, high or critical; write e.g. "critical=auto,high=auto,normal=supervised,low=supervised"

        "#);
    sb.env("SOP_KILL_GRACE", "soon");
    let json = sb.run(&["check", "--json"]).json();
    assert_eq!(json["valid"], false);
    assert_eq!(json["settings"].as_array().map(Vec::len), Some(3), "{json}");
    assert!(
        json["settings"][2]
            .as_str()
            .is_some_and(|p| p.starts_with("invalid SOP_KILL_GRACE")),
        "{json}"
    );
}

#[test]
fn check_has_help() {
    let out = Sandbox::new().run(&["check", "--help"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stdout.contains("Usage: sop check [OPTIONS] [NAME]..."),
        "{out}"
    );
}

#[test]
fn a_webhook_path_the_server_answers_itself_is_refused_where_it_is_written() {
    let sb = Sandbox::new();
    for (name, path) in [
        ("under-api", "/api/sop/deploy/trigger"),
        ("health", "/healthz"),
        ("below-metrics", "/Metrics/push"),
        ("console", "/"),
        ("approval-link", "/approve/abc"),
        ("chat-callback", "/hooks/telegram"),
    ] {
        sb.sop(
            name,
            &format!(
                "[sop]\nname = \"{name}\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"{path}\"\n"
            ),
            MINIMAL_MD,
        );
    }
    sb.sop(
        "near-miss",
        "[sop]\nname = \"near-miss\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/apis/metrics\"\n",
        MINIMAL_MD,
    );
    let out = sb.run(&["check"]);
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stdout.contains("ok   near-miss"), "{out}");
    for (name, path, taken) in [
        ("under-api", "/api/sop/deploy/trigger", "/api"),
        ("health", "/healthz", "/healthz"),
        ("below-metrics", "/Metrics/push", "/metrics"),
        ("console", "/", "/"),
        ("approval-link", "/approve/abc", "/approve"),
        ("chat-callback", "/hooks/telegram", "/hooks/telegram"),
    ] {
        assert!(
            out.stdout.contains(&format!("FAIL {name}: 1 problem")),
            "{out}"
        );
        let message = format!(
            "error: invalid webhook path `{path}`: `{taken}` is served by `sop serve` itself\n  --> [ROOT]/sops/{name}/SOP.toml:6:8\n"
        );
        assert!(out.stderr.contains(&message), "{message}\nnot in:\n{out}");
    }
    assert_eq!(
        out.stderr
            .matches("= help: `sop serve` answers `/api/...`, `/healthz`, `/metrics`, the console (`/`, `/ui/...`), approval links (`/approve/...`) and chat callbacks (`/hooks/slack/...`, `/hooks/telegram`) itself; choose a path outside them")
            .count(),
        6,
        "{out}"
    );
}

#[test]
fn a_webhook_secret_not_set_here_is_a_warning_not_a_failure() {
    let mut sb = Sandbox::new();
    sb.sop(
        "hr",
        "[sop]\nname = \"hr\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/hr/new\"\nsecret_env = \"HR_SECRET\"\n",
        MINIMAL_MD,
    );
    let out = sb.run(&["check"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stderr.contains(
            "warning: `hr`: the webhook at /hr/new checks signatures with the secret in HR_SECRET, which is not set here"
        ),
        "{out}"
    );
    sb.env("HR_SECRET", "s3cret");
    let out = sb.run(&["check"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(!out.stderr.contains("HR_SECRET"), "{out}");
}

#[test]
fn an_optional_variable_without_a_default_in_a_command_is_a_warning() {
    let sb = Sandbox::new();
    sb.sop(
        "scale",
        "[sop]\nname = \"scale\"\n\n[[triggers]]\ntype = \"manual\"\n\n[variables.region]\n\n[variables.size]\ndefault = \"2\"\n",
        "# Scale\n\n## Step 1: Scale\n\n```sh\necho {{ region }} {{ size }}\n```\n",
    );
    let out = sb.run(&["check"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stderr.contains(
            "warning: `scale` step 1 (SOP.md:6): its command uses `{{ region }}`, but `region` is optional with no default"
        ),
        "{out}"
    );
    assert!(!out.stderr.contains("`size`"), "{out}");
}
