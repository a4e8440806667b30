//! `sop show NAME`: the parsed SOP with its steps, kinds, options, checklists and commands.

use crate::support::Sandbox;

#[test]
fn shows_metadata_and_every_step() {
    let out = Sandbox::with_examples().run(&["show", "incident-response"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        incident-response ⚡ HIGH (supervised)
        Handle production incidents

        Version:      1.0.0
        Author:       ops-team
        Triggers:     webhook:/incident, manual
        Conditions:   ON_CALL_AVAILABLE, PROD_DOWN
        Approvers:    anyone
        Approval:     1 approval per gate, self-approval not allowed, expires after 30m (the gate expires)
        Mode:         supervised
        Gates:        before the run starts (supervised), before step 4 (approval = "required")
        Concurrency:  unlimited
        Run timeout:  none
        Step timeout: the engine default
        Workdir:      a fresh temporary directory per run
        Folder:       [ROOT]/sops/incident-response
        Content hash: 92b831e828fba4391d11519e4c5fad8753b39523ab1e203693789c3e14b90624

          # Incident Response Procedure

          Handle a production incident from the first alert to its closure. Start it by hand or through
          the `/incident` webhook, with the variables `service` (the affected service, e.g. `api`) and
          `severity` (`low`, `normal`, `high` or `critical`).

        Steps (6):

        1. Assess Impact [manual]
           - [ ] Check monitoring dashboards for {{ service }}
           - [ ] Identify affected services
           - [ ] Estimate user impact

        2. Open the Incident Log [automated]
           Options: timeout 1m, idempotent
           Start the incident log that the later steps append to.
           Runs (sh, SOP.md line 16):
             printf 'incident opened %s\nservice: %s\nseverity: %s\n' \
               "$(date -u +%Y-%m-%dT%H:%M:%SZ)" {{ service }} {{ severity }} > incident.log
             cat incident.log
             echo "incident_log=incident.log" >> "$SOP_OUTPUT"

        3. Notify Stakeholders [manual]
           - [ ] Send Slack alert to #incidents
           - [ ] Page on-call engineer
           - [ ] Create incident doc

        4. Mitigate [manual]
           Options: approval required
           Mitigation changes production, so it needs an explicit approval even in supervised mode.
           - [ ] Roll back recent deploys if applicable
           - [ ] Scale up resources if needed
           - [ ] Enable maintenance mode if critical

        5. Resolve [manual]
           - [ ] Verify service restoration
           - [ ] Monitor for 15 minutes
           - [ ] Close incident

        6. Close the Incident Log [automated]
           Options: timeout 1m, continue on error
           Record the closing time and keep the log with the run's outputs.
           Runs (sh, SOP.md line 45):
             printf 'incident closed %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> incident.log
             cat incident.log
             echo "closed_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$SOP_OUTPUT"
        --- stderr
        "#);
}

#[test]
fn shows_options_and_blocks_that_are_not_run() {
    let out = Sandbox::with_examples().run(&["show", "deploy-prod"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        deploy-prod 🚀 CRITICAL (step_by_step)
        Deploy a release to production, one approved step at a time

        Version:      2.0.0
        Author:       platform-team
        Triggers:     manual
        Conditions:   tests_passed, staging_verified
        Approvers:    anyone
        Approval:     1 approval per gate, self-approval not allowed, expires after 4h (the run is cancelled)
        Mode:         step_by_step
        Gates:        before every step (step_by_step)
        Concurrency:  one active run at a time
        Run timeout:  none
        Step timeout: the engine default
        Workdir:      a fresh temporary directory per run
        Folder:       [ROOT]/sops/deploy-prod
        Content hash: 055b4326e11d52560fdc6dbe87ef54d02f12da92d6c1c00b0dbecdead0b63a44

        Parameters:
          version       string, required, matching `[0-9]+\.[0-9]+\.[0-9]+` — The release to ship, e.g. 1.4.2

          # Production Deployment

          Ship release `version` (e.g. `--vars '{"version": "1.4.2"}'`) to production. Every step waits
          for an approval, and the run only starts once tests passed and staging was verified.

        Steps (5):

        1. Confirm the Release [manual]
           - [ ] Confirm {{ version }} passed CI on the release branch
           - [ ] Read the changelog for breaking changes
           - [ ] Announce the deploy window in #deploys

        2. Build the Release Bundle [automated]
           Options: timeout 5m, retries 1, idempotent
           Runs (sh, SOP.md line 13):
             mkdir -p release
             printf 'version=%s\nbuilt=%s\n' {{ version }} "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > release/VERSION
             tar -czf release.tar.gz release
             echo "bundle=release.tar.gz" >> "$SOP_OUTPUT"

        3. Deploy to Production [automated]
           Options: timeout 10m
           Unpack the bundle into the live directory. This example deploys into the run's working
           directory; a real deployment would push to the servers here.
           Runs (sh, SOP.md line 25):
             mkdir -p prod/current
             tar -xzf {{ steps.2.bundle }} -C prod/current
             echo "deployed_version={{ version }}" >> "$SOP_OUTPUT"

        4. Smoke Test [automated]
           Options: timeout 2m, retries 2, idempotent
           Runs (sh, SOP.md line 33):
             grep -qx "version="{{ version }} prod/current/release/VERSION
             echo "smoke test passed for {{ version }}"

        5. Monitor [manual]
           Watch the error rate for 15 minutes after the deploy:
           - [ ] Watch error rates and latency for 15 minutes
           - [ ] Roll back with the previous bundle if the error rate rises
           - [ ] Post the result in #deploys
           Shows (promql, SOP.md line 41):
             sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
        --- stderr
        "#);
}

#[test]
fn json_holds_the_whole_definition() {
    let out = Sandbox::with_examples().run(&["show", "cleanup-logs", "--json"]);
    insta::assert_snapshot!(out.to_string(), @r##"
        exit: 0
        --- stdout
        {
          "approvals": {
            "gates": [],
            "mode": {
              "declared": "auto",
              "mode": "auto",
              "priority": "low"
            },
            "warnings": []
          },
          "conditions": {
            "requires": [
              {
                "kind": "expression",
                "source": "disk_usage > 80%"
              }
            ]
          },
          "content_hash": "2efd7a1f2d3f49ea88f3bfd8ade888ffe3b2e1fd3e765921b0a648f3b5c79867",
          "files": {
            "md": "[ROOT]/sops/cleanup-logs/SOP.md",
            "toml": "[ROOT]/sops/cleanup-logs/SOP.toml"
          },
          "icon": "🧹",
          "meta": {
            "allow_self_approval": null,
            "approval_auth": "any",
            "approval_channel": null,
            "approval_timeout": "1d",
            "approvers": [],
            "author": "ops-team",
            "concurrency": null,
            "description": "Archive and remove old log files when the disk fills up",
            "execution_mode": "auto",
            "icon": null,
            "min_approvals": 1,
            "name": "cleanup-logs",
            "notify_on": null,
            "on_limit": "refuse",
            "on_timeout": "expire",
            "priority": "low",
            "step_timeout": null,
            "timeout": null,
            "version": "1.0.0",
            "workdir": null
          },
          "name": "cleanup-logs",
          "parameters": [],
          "preamble": "# Log Cleanup\n\nEvery Sunday at midnight, when the disk is more than 80% full, archive the old logs and delete\nthem. Every step runs on its own.",
          "steps": [
            {
              "blocks": [
                {
                  "code": "df -P .\necho \"usage_before=$(df -P . | awk 'NR == 2 { print $5 }')\" >> \"$SOP_OUTPUT\"\n",
                  "lang": "sh",
                  "line": 8
                }
              ],
              "checklist": [],
              "commands": [
                "df -P .\necho \"usage_before=$(df -P . | awk 'NR == 2 { print $5 }')\" >> \"$SOP_OUTPUT\"\n"
              ],
              "description": "",
              "kind": "automated",
              "line": 6,
              "number": 1,
              "options": {
                "approval": "mode",
                "continue_on_error": false,
                "idempotent": true,
                "manual": false,
                "retries": 0,
                "timeout": "1m"
              },
              "title": "Measure Disk Usage"
            },
            {
              "blocks": [
                {
                  "code": "mkdir -p logs\nfor day in 1 2 3; do\n  printf '%s app started\\n%s app stopped\\n' \"day $day\" \"day $day\" > \"logs/app-$day.log\"\ndone\nls -l logs\n",
                  "lang": "sh",
                  "line": 18
                }
              ],
              "checklist": [],
              "commands": [
                "mkdir -p logs\nfor day in 1 2 3; do\n  printf '%s app started\\n%s app stopped\\n' \"day $day\" \"day $day\" > \"logs/app-$day.log\"\ndone\nls -l logs\n"
              ],
              "description": "Gather the logs to archive. This example writes a few stand-in log files; a real cleanup would\nselect the service's logs older than a week here.",
              "kind": "automated",
              "line": 13,
              "number": 2,
              "options": {
                "approval": "mode",
                "continue_on_error": false,
                "idempotent": true,
                "manual": false,
                "retries": 0,
                "timeout": "5m"
              },
              "title": "Collect Old Logs"
            },
            {
              "blocks": [
                {
                  "code": "tar -czf logs-archive.tar.gz logs\ntar -tzf logs-archive.tar.gz\necho \"archive=logs-archive.tar.gz\" >> \"$SOP_OUTPUT\"\n",
                  "lang": "sh",
                  "line": 28
                }
              ],
              "checklist": [],
              "commands": [
                "tar -czf logs-archive.tar.gz logs\ntar -tzf logs-archive.tar.gz\necho \"archive=logs-archive.tar.gz\" >> \"$SOP_OUTPUT\"\n"
              ],
              "description": "",
              "kind": "automated",
              "line": 26,
              "number": 3,
              "options": {
                "approval": "mode",
                "continue_on_error": false,
                "idempotent": false,
                "manual": false,
                "retries": 1,
                "timeout": "10m"
              },
              "title": "Archive the Logs"
            },
            {
              "blocks": [
                {
                  "code": "rm -f logs/*.log\necho \"usage_after=$(df -P . | awk 'NR == 2 { print $5 }')\" >> \"$SOP_OUTPUT\"\ndf -P .\n",
                  "lang": "sh",
                  "line": 36
                }
              ],
              "checklist": [],
              "commands": [
                "rm -f logs/*.log\necho \"usage_after=$(df -P . | awk 'NR == 2 { print $5 }')\" >> \"$SOP_OUTPUT\"\ndf -P .\n"
              ],
              "description": "",
              "kind": "automated",
              "line": 34,
              "number": 4,
              "options": {
                "approval": "mode",
                "continue_on_error": false,
                "idempotent": true,
                "manual": false,
                "retries": 0,
                "timeout": "1m"
              },
              "title": "Delete the Archived Logs"
            }
          ],
          "triggers": [
            {
              "expression": "0 0 * * 0",
              "type": "cron"
            }
          ],
          "valid": true
        }
        --- stderr
        "##);
}

#[test]
fn json_names_the_secret_variable_but_never_its_value() {
    let mut sb = Sandbox::new();
    sb.sop(
        "hooked",
        "[sop]\nname = \"hooked\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/hooked\"\nsecret_env = \"HOOKED_SECRET\"\n",
        "## Step 1: Do it\n",
    );
    sb.env("HOOKED_SECRET", "s3cr3t-value");
    let out = sb.run(&["show", "hooked", "--json"]);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(out.json()["triggers"][0]["secret_env"], "HOOKED_SECRET");
    assert!(!out.stdout.contains("s3cr3t-value"), "{out}");
    let text = sb.run(&["show", "hooked"]);
    assert!(
        text.stdout
            .contains("webhook:/hooked (signed with $HOOKED_SECRET)"),
        "{text}"
    );
    assert!(!text.stdout.contains("s3cr3t-value"), "{text}");
}

#[test]
fn an_unknown_name_suggests_a_close_one() {
    let out = Sandbox::with_examples().run(&["show", "incident-responce"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        --- stderr
        error: no SOP named `incident-responce` in [ROOT]/sops
          = help: did you mean `incident-response`?
        "#);
}

#[test]
fn an_invalid_sop_shows_its_problems_and_exits_2() {
    let out = Sandbox::with_fixture("broken").run(&["show", "bad-steps"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
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

        error: SOP `bad-steps` is invalid (4 problems); fix it and run `sop check bad-steps`
        "#);
}

#[test]
fn an_invalid_sop_in_json() {
    let out = Sandbox::with_fixture("broken").run(&["show", "no-steps", "--json"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        {
          "errors": [
            {
              "col": 1,
              "file": "[ROOT]/sops/no-steps/SOP.md",
              "help": "a step is a level-2 heading: add `## Step 1: Title` followed by its text",
              "line": 1,
              "message": "SOP.md has no steps"
            }
          ],
          "name": "no-steps",
          "valid": false
        }
        --- stderr
        "#);
}

#[test]
fn show_has_help() {
    let out = Sandbox::new().run(&["show", "--help"]);
    assert_eq!(out.code, 0, "{out}");
    assert!(
        out.stdout.contains("Usage: sop show [OPTIONS] <NAME>"),
        "{out}"
    );
}
