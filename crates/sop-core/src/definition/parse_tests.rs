//! Tests of `definition::parse` on whole SOPs: the good path and every kind of bad input.

use super::*;

mod conditions;
mod md;
mod step_conditions;
mod triggers;
mod variables;

const TOML: &str = r#"[sop]
name = "demo"
description = "A demo procedure"
version = "1.0.0"
author = "ops-team"
priority = "high"
execution_mode = "step_by_step"

[[triggers]]
type = "manual"

[[triggers]]
type = "cron"
expression = "0 2 * * *"
timezone = "Europe/Paris"

[[triggers]]
type = "webhook"
path = "/hooks/demo"
secret_env = "DEMO_SECRET"

[[triggers]]
type = "event"
event = "deploy.*"
cooldown = "10m"

[conditions]
requires = ["PROD_DOWN", "disk_usage > 80%"]
expression = "business_hours == true"
"#;

const MD: &str = r#"# Demo Procedure

An introduction.

## Step 1: Assess
- Check dashboards
- [ ] Identify affected services

## Step 2: Act
<!-- sop: timeout = "10m", retries = 2, continue_on_error = true, idempotent = true, approval = "required" -->
Run the fix.

```sh
echo "fixed {{ service }}"
```

```python
print("shown, not run")
```

## Step 3: Explain
<!-- sop: manual = true -->
```bash
echo "instructions only"
```
"#;

fn source<'a>(toml: &'a str, md: &'a str) -> SopSource<'a> {
    SopSource {
        folder: "demo",
        toml_file: "demo/SOP.toml",
        toml,
        md_file: "demo/SOP.md",
        md,
    }
}

/// The problems as one-line `file:line:col: message (help: ...)` strings.
fn errors(toml: &str, md: &str) -> Vec<String> {
    match parse(&source(toml, md)) {
        Ok(_) => panic!("expected errors"),
        Err(diags) => diags.iter().map(ToString::to_string).collect(),
    }
}

fn toml_errors(toml: &str) -> Vec<String> {
    errors(toml, MD)
}

fn md_errors(md: &str) -> Vec<String> {
    errors(TOML, md)
}

const MINIMAL: &str = "[sop]\nname = \"demo\"\n\n[[triggers]]\ntype = \"manual\"\n";

#[test]
fn a_complete_sop_parses_into_the_model() {
    let sop = parse(&source(TOML, MD)).unwrap();
    assert_eq!(sop.name(), "demo");
    assert_eq!(sop.meta.description, "A demo procedure");
    assert_eq!(sop.meta.version.as_deref(), Some("1.0.0"));
    assert_eq!(sop.meta.priority, Priority::High);
    assert_eq!(sop.meta.execution_mode, ExecutionMode::StepByStep);
    assert_eq!(sop.meta.display_icon(), "⚡");
    assert_eq!(sop.meta.approval_timeout, DEFAULT_APPROVAL_TIMEOUT);
    let triggers: Vec<String> = sop.triggers.iter().map(ToString::to_string).collect();
    assert_eq!(
        triggers,
        [
            "manual",
            "cron:0 2 * * *",
            "webhook:/hooks/demo",
            "event:deploy.*"
        ]
    );
    assert_eq!(
        sop.conditions.summary(),
        ["PROD_DOWN", "disk_usage > 80%", "business_hours == true"]
    );
    assert!(matches!(
        sop.conditions.requires[0],
        Requirement::Name { .. }
    ));
    assert!(matches!(
        sop.conditions.requires[1],
        Requirement::Expression { .. }
    ));
    assert_eq!(sop.preamble, "# Demo Procedure\n\nAn introduction.");
    assert_eq!(sop.steps.len(), 3);
    assert_eq!(sop.content_hash, content_hash(TOML, MD));
}

#[test]
fn steps_carry_checklists_blocks_options_and_kinds() {
    let sop = parse(&source(TOML, MD)).unwrap();
    let [assess, act, explain] = &sop.steps[..] else {
        panic!("three steps")
    };
    assert_eq!((assess.number, assess.title.as_str()), (1, "Assess"));
    assert_eq!(assess.kind, StepKind::Manual);
    assert_eq!(
        assess.checklist,
        ["Check dashboards", "Identify affected services"]
    );
    assert_eq!(assess.line, 5);

    assert_eq!(act.kind, StepKind::Automated);
    assert_eq!(act.description, "Run the fix.");
    assert_eq!(act.blocks.len(), 2);
    assert_eq!(act.blocks[0].lang, "sh");
    assert_eq!(act.blocks[0].code, "echo \"fixed {{ service }}\"\n");
    assert_eq!(act.blocks[0].line, 13);
    assert_eq!(act.commands().count(), 1, "the python block is not run");
    assert_eq!(
        act.options,
        StepOptions {
            timeout: Some(Duration::from_secs(600)),
            retries: 2,
            continue_on_error: true,
            idempotent: true,
            approval: ApprovalRequirement::Required,
            manual: false,
            condition: None,
        }
    );

    assert_eq!(
        explain.kind,
        StepKind::Manual,
        "manual = true wins over code"
    );
    assert_eq!(explain.commands().count(), 0);
    assert_eq!(explain.blocks.len(), 1);
}

#[test]
fn defaults_apply_when_keys_are_absent() {
    let sop = parse(&source(MINIMAL, "## Step 1: Only\nDo it.\n")).unwrap();
    assert_eq!(sop.meta.priority, Priority::Normal);
    assert_eq!(sop.meta.execution_mode, ExecutionMode::Supervised);
    assert_eq!(sop.meta.display_icon(), "🕐");
    assert_eq!(sop.meta.min_approvals, 1);
    assert_eq!(sop.meta.on_timeout, OnTimeout::Expire);
    assert_eq!(sop.meta.concurrency, None);
    assert_eq!(sop.meta.on_limit, OnLimit::Refuse);
    assert_eq!(sop.meta.description, "");
    assert!(sop.conditions.is_empty());
    assert_eq!(sop.preamble, "");
    assert_eq!(sop.steps[0].description, "Do it.");
}

#[test]
fn gate_and_run_settings_are_read() {
    let toml = "[sop]\nname = \"demo\"\napprovers = [\"alice\", \"bob\", \"@ops\"]\nmin_approvals = 2\nallow_self_approval = false\non_timeout = \"cancel\"\ntimeout = \"2h\"\nstep_timeout = \"5m\"\nworkdir = \"/srv/demo\"\nconcurrency = 1\napproval_timeout = \"2h\"\nicon = \"🛠\"\n\n[[triggers]]\ntype = \"manual\"\n";
    let sop = parse(&source(toml, "## Step 1: Only\n")).unwrap();
    let m = &sop.meta;
    assert_eq!(m.approvers, ["alice", "bob", "@ops"]);
    assert_eq!(m.min_approvals, 2);
    assert_eq!(m.allow_self_approval, Some(false));
    assert_eq!(m.on_timeout, OnTimeout::Cancel);
    assert_eq!(m.run_timeout, Some(Duration::from_secs(7200)));
    assert_eq!(m.step_timeout, Some(Duration::from_secs(300)));
    assert_eq!(m.workdir.as_deref(), Some("/srv/demo"));
    assert_eq!(m.concurrency, Some(1));
    assert_eq!(m.on_limit, OnLimit::Refuse);
    assert_eq!(m.approval_timeout, Duration::from_secs(7200));
    assert_eq!(m.display_icon(), "🛠");
}

#[test]
fn on_limit_queue_is_read_with_concurrency() {
    let toml = "[sop]\nname = \"demo\"\nconcurrency = 2\non_limit = \"queue\"\n\n[[triggers]]\ntype = \"manual\"\n";
    let sop = parse(&source(toml, "## Step 1: Only\n")).unwrap();
    assert_eq!(sop.meta.concurrency, Some(2));
    assert_eq!(sop.meta.on_limit, OnLimit::Queue);
}

#[test]
fn on_limit_without_concurrency_or_with_a_wrong_word_is_an_error() {
    let toml = "[sop]\nname = \"demo\"\non_limit = \"queue\"\n\n[[triggers]]\ntype = \"manual\"\n";
    assert_eq!(
        toml_errors(toml),
        [
            "demo/SOP.toml:3:12: `on_limit` says what a start beyond `concurrency` does, but [sop] sets no `concurrency` (help: add e.g. concurrency = 1, or remove `on_limit`)"
        ]
    );
    let toml = "[sop]\nname = \"demo\"\nconcurrency = 1\non_limit = \"queu\"\n\n[[triggers]]\ntype = \"manual\"\n";
    assert_eq!(
        toml_errors(toml),
        ["demo/SOP.toml:4:12: `queu` is not a valid `on_limit` (help: did you mean `queue`?)"]
    );
}

#[test]
fn unknown_keys_get_did_you_mean_hints() {
    let toml = "[sop]\nnmae = \"demo\"\nprioity = \"high\"\ncolour = \"red\"\n\n[[triggers]]\ntype = \"cron\"\nexpresion = \"0 2 * * *\"\n\n[trigger]\n";
    assert_eq!(
        toml_errors(toml),
        [
            "demo/SOP.toml:1:2: [sop] is missing the required key `name` (help: add `name = \"demo\"`)",
            "demo/SOP.toml:2:1: unknown key `nmae` in [sop] (help: did you mean `name`?)",
            "demo/SOP.toml:3:1: unknown key `prioity` in [sop] (help: did you mean `priority`?)",
            "demo/SOP.toml:4:1: unknown key `colour` in [sop] (help: [sop] accepts `name`, `description`, `version`, `author`, `priority`, `execution_mode`, `icon`, `approval_timeout`, `concurrency`, `on_limit`, `approvers`, `min_approvals`, `allow_self_approval`, `on_timeout`, `timeout`, `step_timeout`, `workdir`, `approval_auth`, `approval_channel` or `notify_on`)",
            "demo/SOP.toml:6:1: a cron trigger is missing the required key `expression` (help: add `expression = \"0 2 * * *\"`)",
            "demo/SOP.toml:8:1: unknown key `expresion` in a cron trigger (help: did you mean `expression`?)",
            "demo/SOP.toml:10:2: unknown key `trigger` in SOP.toml (help: did you mean `triggers`?)",
        ]
    );
}

#[test]
fn wrong_types_are_reported_with_the_expected_type() {
    let toml = "[sop]\nname = \"demo\"\npriority = 1\nconcurrency = \"3\"\napprovers = \"alice\"\nallow_self_approval = \"yes\"\nversion = 1.0\n\n[[triggers]]\ntype = \"manual\"\n\n[conditions]\nrequires = [\"A\", 2]\n";
    assert_eq!(
        toml_errors(toml),
        [
            "demo/SOP.toml:3:12: `priority` in [sop] must be a string, found an integer (help: put the value in double quotes: priority = \"...\")",
            "demo/SOP.toml:4:15: `concurrency` in [sop] must be an integer, found a string (help: write a whole number without quotes, e.g. concurrency = 2)",
            "demo/SOP.toml:5:13: `approvers` in [sop] must be a list of strings, found a string (help: write approvers = [\"...\", \"...\"])",
            "demo/SOP.toml:6:23: `allow_self_approval` in [sop] must be a boolean, found a string (help: write allow_self_approval = true or allow_self_approval = false, without quotes)",
            "demo/SOP.toml:7:11: `version` in [sop] must be a string, found a float (help: put the value in double quotes: version = \"...\")",
            "demo/SOP.toml:13:18: items of `requires` must be strings, found an integer (help: put each item in double quotes)",
        ]
    );
}

#[test]
fn bad_values_of_sop_keys() {
    let toml = "[sop]\nname = \"demo\"\nversion = \"1.0\"\npriority = \"hgh\"\nexecution_mode = \"manual\"\nconcurrency = 0\nmin_approvals = 3\napprovers = [\"alice\", \"al ice\", \"alice\", \"@\"]\non_timeout = \"approve\"\nicon = \"two words\"\nauthor = \"\"\n\n[[triggers]]\ntype = \"manual\"\n";
    let errs = toml_errors(toml);
    // The approver rules and their wording belong to `gate::Approver`; only the location is ours.
    let (approver, rest): (Vec<String>, Vec<String>) = errs
        .into_iter()
        .partition(|e| e.contains("invalid approver"));
    assert_eq!(approver.len(), 2, "{approver:?}");
    assert!(approver[0].starts_with("demo/SOP.toml:8:23: invalid approver `al ice`: "));
    assert!(approver[1].starts_with("demo/SOP.toml:8:42: invalid approver `@`: "));
    assert_eq!(
        rest,
        [
            "demo/SOP.toml:3:11: `version` is not semantic versioning: unexpected end of input while parsing minor version number (help: write MAJOR.MINOR.PATCH, e.g. version = \"1.0.0\")",
            "demo/SOP.toml:4:12: `hgh` is not a valid `priority` (help: did you mean `high`?)",
            "demo/SOP.toml:5:18: `manual` is not a valid `execution_mode` (help: expected one of: `auto`, `supervised`, `step_by_step` or `priority_based`)",
            "demo/SOP.toml:6:15: `concurrency` must be between 1 and 10000 (help: e.g. concurrency = 1)",
            "demo/SOP.toml:7:17: `min_approvals` is 3 but only 1 approver(s) are listed, so no gate could ever pass (help: list more approvers, add a group (\"@ops\"), or lower `min_approvals`)",
            "demo/SOP.toml:8:33: approver `alice` is listed twice (help: remove the duplicate)",
            "demo/SOP.toml:9:14: `approve` is not a valid `on_timeout` (help: expected one of: `expire` or `cancel`)",
            "demo/SOP.toml:10:8: `icon` must be one short symbol without spaces (help: use an emoji such as icon = \"🛠\", or remove the key for the default icon)",
            "demo/SOP.toml:11:10: `author` is empty (help: remove `author` or give it a value)",
        ]
    );
}

#[test]
fn names_must_be_valid_and_match_the_folder() {
    let errs = toml_errors(&MINIMAL.replace("name = \"demo\"", "name = \"Demo\""));
    assert_eq!(
        errs,
        [
            "demo/SOP.toml:2:8: invalid SOP name `Demo`: the name contains an upper-case letter (help: use lowercase letters, digits, `-` and `_`, starting with a letter or digit (e.g. `deploy-prod`))"
        ]
    );
    let errs = toml_errors(&MINIMAL.replace("name = \"demo\"", "name = \"other\""));
    assert_eq!(
        errs,
        [
            "demo/SOP.toml:2:8: name `other` does not match its folder `demo` (help: the name is the folder name: write name = \"demo\" or rename the folder)"
        ]
    );
    for bad in ["a/b", "..", "my sop"] {
        let errs = toml_errors(&MINIMAL.replace("name = \"demo\"", &format!("name = \"{bad}\"")));
        assert!(errs[0].contains("invalid SOP name"), "{bad}: {errs:?}");
    }
}

#[test]
fn bad_durations_are_reported() {
    let toml = "[sop]\nname = \"demo\"\napproval_timeout = \"10\"\ntimeout = \"0s\"\n\n[[triggers]]\ntype = \"event\"\nevent = \"deploy.failed\"\ncooldown = \"5x\"\n";
    assert_eq!(
        toml_errors(toml),
        [
            "demo/SOP.toml:3:20: `approval_timeout`: invalid duration `10`: missing unit; use s, m, h, d or w, e.g. \"90s\" (help: write a number and a unit (s, m, h, d, w), e.g. \"90s\", \"10m\", \"24h\", \"7d\" or \"1h30m\")",
            "demo/SOP.toml:4:11: `timeout` must be longer than zero (help: write e.g. \"90s\", \"10m\", \"24h\" or \"7d\")",
            "demo/SOP.toml:9:12: `cooldown`: invalid duration `5x`: unknown unit; use s, m, h, d or w, e.g. \"24h\" (help: write a number and a unit (s, m, h, d, w), e.g. \"90s\", \"10m\", \"24h\", \"7d\" or \"1h30m\")",
        ]
    );
}

#[test]
fn sop_files_take_whole_seconds_though_settings_take_milliseconds() {
    let toml = "[sop]\nname = \"demo\"\ntimeout = \"1s250ms\"\napproval_timeout = \"2000ms\"\n";
    assert_eq!(
        toml_errors(toml),
        [
            "demo/SOP.toml:3:11: `timeout`: invalid duration `1s250ms`: unknown unit; use s, m, h, d or w, e.g. \"24h\" (help: write a number and a unit (s, m, h, d, w), e.g. \"90s\", \"10m\", \"24h\", \"7d\" or \"1h30m\")",
        ]
    );
}

#[test]
fn missing_sop_table_and_empty_file() {
    assert_eq!(
        toml_errors("[[triggers]]\ntype = \"manual\"\n"),
        [
            "demo/SOP.toml:1:1: SOP.toml has no [sop] table (help: start the file with:\n[sop]\nname = \"demo\")"
        ]
    );
    let errs = toml_errors("");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("no [sop] table"));
}

#[test]
fn toml_syntax_errors_do_not_cascade() {
    let toml = "[sop]\nname = \"demo\"\npriority = hgh\n\n[[triggers]]\ntype = \"manual\"\n";
    let errs = toml_errors(toml);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("demo/SOP.toml:3:12: TOML syntax: string values must be quoted"),
        "{errs:?}"
    );
    let dup = "[sop]\nname = \"demo\"\nname = \"demo\"\n\n[[triggers]]\ntype = \"manual\"\n";
    let errs = toml_errors(dup);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("demo/SOP.toml:3:1: TOML syntax: duplicate key"),
        "{errs:?}"
    );
    assert!(
        errs[0].ends_with("(help: a key, or a [table] header, may appear only once; remove or merge the repeated one)"),
        "{errs:?}"
    );
}

#[test]
fn every_problem_of_both_files_in_one_pass() {
    let toml = "[sop]\nname = \"demo\"\npriority = \"urgent\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/a b\"\n";
    let md = "## Step 1: A\n<!-- sop: retries = \"two\" -->\n## Step 3: C\n";
    let errs = errors(toml, md);
    assert_eq!(errs.len(), 4, "{errs:?}");
    assert!(errs[0].starts_with("demo/SOP.toml:3:"));
    assert!(errs[1].starts_with("demo/SOP.toml:7:"));
    assert!(errs[2].starts_with("demo/SOP.md:2:"));
    assert!(errs[3].starts_with("demo/SOP.md:3:"));
}

#[test]
fn the_content_hash_tells_files_apart() {
    assert_eq!(content_hash("a", "b"), content_hash("a", "b"));
    assert_ne!(content_hash("ab", ""), content_hash("a", "b"));
    assert_eq!(content_hash("", "").len(), 64);
}

#[test]
fn the_default_icon_follows_the_priority() {
    assert_eq!(default_icon(Priority::Critical), "🚀");
    assert_eq!(default_icon(Priority::High), "⚡");
    assert_eq!(default_icon(Priority::Normal), "🕐");
    assert_eq!(default_icon(Priority::Low), "🧹");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Pieces that exercise every branch of both parsers when shuffled together.
    fn md_piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("## Step 1: A\n".to_string()),
            Just("## Step 2: B\n".to_string()),
            Just("## Step x\n".to_string()),
            Just("<!-- sop: retries = 1, timeout = \"5m\" -->\n".to_string()),
            Just("<!-- sop: ".to_string()),
            Just("<!--".to_string()),
            Just("-->".to_string()),
            Just("```sh\necho {{ a }}\n".to_string()),
            Just("```\n".to_string()),
            Just("- item\n  - nested\n".to_string()),
            Just("> quote\n".to_string()),
            Just("é🚀\u{0}\r\n".to_string()),
            "[ -~\n]{0,20}",
        ]
    }

    fn toml_piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("[sop]\nname = \"demo\"\n".to_string()),
            Just("[[triggers]]\ntype = \"cron\"\nexpression = \"0 2 * * *\"\n".to_string()),
            Just("[[triggers]]\ntype = \"webhook\"\npath = \"/x\"\n".to_string()),
            Just("[conditions]\nrequires = [\"a >\", \"B\"]\n".to_string()),
            Just("priority = ".to_string()),
            Just("\"é🚀\"\n".to_string()),
            "[ -~\n]{0,20}",
        ]
    }

    proptest! {
        #[test]
        fn arbitrary_files_give_a_sop_or_located_errors(
            toml in prop::collection::vec(toml_piece(), 0..8).prop_map(|v| v.concat()),
            md in prop::collection::vec(md_piece(), 0..10).prop_map(|v| v.concat()),
        ) {
            if let Err(diags) = parse(&source(&toml, &md)) {
                prop_assert!(!diags.is_empty());
                for d in diags {
                    prop_assert!(d.file == "demo/SOP.toml" || d.file == "demo/SOP.md");
                    let _ = d.render();
                }
            }
        }
    }
}

#[test]
fn columns_count_characters_not_bytes() {
    let md = "## Step 1: x\n<!-- sop: retries = \"é🚀\", timout = \"1m\" -->\n";
    let errs = md_errors(md);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].starts_with("demo/SOP.md:2:21: `retries`"),
        "{errs:?}"
    );
    assert!(
        errs[1].starts_with("demo/SOP.md:2:27: unknown key `timout`"),
        "{errs:?}"
    );
}

#[test]
fn a_key_the_toml_parser_rejected_is_reported_once() {
    let errs = md_errors("## Step 1: x\n<!-- sop: retries = 1, é = 2 -->\n");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("TOML syntax"), "{errs:?}");
}

#[test]
fn a_table_written_as_an_array_of_tables_says_so() {
    let errs = toml_errors("[[sop]]\nname = \"demo\"\n\n[[triggers]]\ntype = \"manual\"\n");
    assert_eq!(
        errs,
        [
            "demo/SOP.toml:1:3: `sop` must be a table, found an array (help: start the file with a `[sop]` header)"
        ]
    );
}

#[test]
fn notification_keys_are_read_and_checked_where_they_are_written() {
    let toml = "[sop]\nname = \"demo\"\napproval_channel = \"slack:#ops, telegram:-1001\"\nnotify_on = [\"approval\", \"succeeded\"]\n\n[[triggers]]\ntype = \"manual\"\n";
    let sop = parse(&source(toml, MD)).unwrap();
    assert_eq!(
        sop.meta.approval_channel.as_deref(),
        Some("slack:#ops, telegram:-1001")
    );
    assert_eq!(
        sop.meta.notify_on,
        Some(vec![
            crate::notify::NotifyEvent::Approval,
            crate::notify::NotifyEvent::Succeeded
        ])
    );
    let toml = "[sop]\nname = \"demo\"\napproval_channel = \"email:ops@example.com\"\nnotify_on = [\"aproval\", \"failed\", \"failed\"]\n\n[[triggers]]\ntype = \"manual\"\n";
    assert_eq!(
        toml_errors(toml),
        [
            "demo/SOP.toml:3:20: invalid `approval_channel`: unknown channel kind `email`: write slack:#channel, telegram:CHAT_ID or webhook:URL (help: e.g. approval_channel = \"slack:#ops,telegram:-100123\")",
            "demo/SOP.toml:4:14: `aproval` is not an event of `notify_on` (help: did you mean `approval`?)",
            "demo/SOP.toml:4:35: `failed` is listed twice in `notify_on` (help: remove the duplicate)",
        ]
    );
}
