//! Tests of `definition::parse` on `[[triggers]]`: each type's keys, cron syntax, and webhook
//! paths unique across SOPs.

use super::*;

#[test]
fn bad_triggers_are_reported() {
    let toml = r#"[sop]
name = "demo"

[[triggers]]
type = "cron"
expression = "0 2 * *"
timezone = "Mars/Olympus"

[[triggers]]
type = "webhook"
path = "incident"
secret_env = "MY-SECRET"

[[triggers]]
type = "event"
event = "deploy..failed"

[[triggers]]
type = "sometimes"

[[triggers]]
path = "/x"

[[triggers]]
type = "manual"
expression = "0 2 * * *"
"#;
    assert_eq!(
        toml_errors(toml),
        [
            "demo/SOP.toml:6:14: a cron expression has 5 fields (minute hour day-of-month month day-of-week), or 6 with a leading second field; this one has 4 (help: write five fields `minute hour day-of-month month day-of-week`, e.g. \"0 2 * * *\" for 02:00 every day, or six with a leading second, e.g. \"*/30 * * * * *\")",
            "demo/SOP.toml:7:12: `Mars/Olympus` is not an IANA time zone (help: use a name from the IANA database, e.g. \"UTC\", \"Europe/Paris\" or \"America/New_York\")",
            "demo/SOP.toml:11:8: invalid webhook path `incident`: the path must start with `/` (help: write a path such as `/hr/new-employee`: letters, digits, `-`, `_` and `.` between slashes)",
            "demo/SOP.toml:12:14: `secret_env`: a variable name may only contain letters, digits and `_` (help: name the environment variable that holds the secret, e.g. secret_env = \"INCIDENT_WEBHOOK_SECRET\")",
            "demo/SOP.toml:16:9: invalid event `deploy..failed`: the event name has an empty segment (two dots, or a leading or trailing dot) (help: write dot-separated lowercase words such as `deploy.failed`; a whole segment may be `*` (`deploy.*`))",
            "demo/SOP.toml:19:8: `sometimes` is not a valid `type` (help: expected one of: `manual`, `cron`, `webhook` or `event`)",
            "demo/SOP.toml:21:1: a trigger is missing the required key `type` (help: add `type = \"manual\"`)",
            "demo/SOP.toml:26:1: unknown key `expression` in a manual trigger (help: a manual trigger takes no other keys)",
        ]
    );
}

#[test]
fn cron_triggers_take_seconds_overlap_and_catch_up() {
    let toml = MINIMAL.replace(
        "type = \"manual\"",
        "type = \"cron\"\nexpression = \"*/2 * * * * *\"\noverlap = \"allow\"\ncatch_up = \"all\"",
    );
    let sop = parse(&source(&toml, MD)).unwrap();
    assert_eq!(
        sop.triggers,
        [Trigger::Cron {
            expression: "*/2 * * * * *".into(),
            timezone: None,
            overlap: Overlap::Allow,
            catch_up: CatchUp::All,
        }]
    );
    let bad = MINIMAL.replace(
        "type = \"manual\"",
        "type = \"cron\"\nexpression = \"@daily\"\noverlap = \"skp\"\ncatch_up = \"every\"",
    );
    let errs = toml_errors(&bad);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].starts_with("demo/SOP.toml:7:11: `skp` is not a valid `overlap`")
            && errs[0].contains("skip"),
        "{errs:?}"
    );
    assert!(
        errs[1].starts_with("demo/SOP.toml:8:12: `every` is not a valid `catch_up`"),
        "{errs:?}"
    );
}

/// The rendered diagnostics of a cron trigger whose `expression = <raw>` line is line 6.
fn cron_renders(raw: &str) -> Vec<String> {
    let toml = MINIMAL.replace(
        "type = \"manual\"",
        &format!("type = \"cron\"\nexpression = {raw}"),
    );
    match parse(&source(&toml, MD)) {
        Ok(_) => panic!("expected errors for {raw}"),
        Err(diags) => diags.iter().map(Diagnostic::render).collect(),
    }
}

/// The `line:col` of each rendered diagnostic, and the text its caret underlines.
fn carets(raw: &str) -> Vec<(String, String)> {
    cron_renders(raw)
        .iter()
        .map(|d| {
            let lines: Vec<&str> = d.lines().collect();
            let after_bar = |i: usize| {
                lines
                    .get(i)
                    .and_then(|l| l.split_once("| "))
                    .map_or("", |(_, rest)| rest)
            };
            let at = lines.get(1).and_then(|l| l.rsplit_once("SOP.toml:"));
            let caret = after_bar(4);
            let underlined = after_bar(3)
                .chars()
                .skip(caret.find('^').unwrap_or(0))
                .take(caret.matches('^').count())
                .collect();
            (at.map_or("", |(_, c)| c).to_string(), underlined)
        })
        .collect()
}

#[test]
fn a_bad_cron_field_is_reported_at_the_field() {
    let toml = MINIMAL.replace(
        "type = \"manual\"",
        "type = \"cron\"\nexpression = \"61 2 * * *\"",
    );
    let errs = toml_errors(&toml);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with(
            "demo/SOP.toml:6:15: invalid cron expression: the minute field `61` is not valid: `61` is out of range (minute takes 0-59"
        ),
        "{errs:?}"
    );
    assert_eq!(
        cron_renders("\"61 2 * * *\"")[0]
            .lines()
            .collect::<Vec<_>>()[1..5],
        [
            "  --> demo/SOP.toml:6:15",
            "  |",
            "6 | expression = \"61 2 * * *\"",
            "  |               ^^",
        ]
    );
}

#[test]
fn the_caret_is_under_the_bad_token_whatever_the_spacing_and_quotes() {
    let at = |raw: &str| {
        carets(raw)
            .into_iter()
            .map(|(at, text)| format!("{at} {text}"))
            .collect::<Vec<_>>()
    };
    // A day name in the fifth field, two spaces between fields.
    assert_eq!(at("\"0 0  * *  FOO\""), ["6:25 FOO"]);
    // A literal string with a tab between two fields; the bad end of a range.
    assert_eq!(at("'0 0 * *\tMON-FOO'"), ["6:27 FOO"]);
    assert_eq!(at("\"*/0 * * * *\""), ["6:17 0"]);
    assert_eq!(at("\"0 25 * * *\""), ["6:17 25"]);
    assert_eq!(at("\"0 22-2 * * *\""), ["6:17 22-2"]);
    assert_eq!(at("\"\"\"0 0 * * 8\"\"\""), ["6:25 8"]);
    // An escape after the bad token does not move it; one before it hides the column, so the
    // whole string is pointed at.
    assert_eq!(at("\"0 25 * *\\t*\""), ["6:17 25"]);
    assert_eq!(at("\"0\\t25 * * *\""), ["6:14 \"0\\t25 * * *\""]);
    // The wrong number of fields is the whole string's problem.
    assert_eq!(at("\"0 2 * *\""), ["6:14 \"0 2 * *\""]);
}

#[test]
fn every_bad_cron_field_is_reported_each_at_its_own_column() {
    let toml = MINIMAL.replace(
        "type = \"manual\"",
        "type = \"cron\"\nexpression = \"61 25 * 13 FOO\"",
    );
    let errs: Vec<String> = toml_errors(&toml)
        .iter()
        .map(|e| e.split(" is not valid").next().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        errs,
        [
            "demo/SOP.toml:6:15: invalid cron expression: the minute field `61`",
            "demo/SOP.toml:6:18: invalid cron expression: the hour field `25`",
            "demo/SOP.toml:6:23: invalid cron expression: the month field `13`",
            "demo/SOP.toml:6:26: invalid cron expression: the day-of-week field `FOO`",
        ]
    );
    let at: Vec<String> = carets("\"*/0  0 * * 1-9\"")
        .into_iter()
        .map(|(at, text)| format!("{at} {text}"))
        .collect();
    assert_eq!(at, ["6:17 0", "6:28 9"]);
}

#[test]
fn triggers_default_to_manual_and_are_unique_and_in_double_brackets() {
    let none = parse(&source("[sop]\nname = \"demo\"\n", MD)).unwrap();
    assert_eq!(none.triggers, [Trigger::Manual]);
    assert!(none.has_manual_trigger());
    let single = "[sop]\nname = \"demo\"\n\n[triggers]\ntype = \"manual\"\n";
    assert_eq!(
        toml_errors(single),
        [
            "demo/SOP.toml:4:2: `triggers` must be an array of tables (help: write each trigger under its own `[[triggers]]` header (double brackets))"
        ]
    );
    let twice = format!("{MINIMAL}\n[[triggers]]\ntype = \"manual\"\n");
    assert_eq!(
        toml_errors(&twice),
        [
            "demo/SOP.toml:7:1: duplicate trigger `manual` (help: the same trigger is already declared on line 4; remove one)"
        ]
    );
}

#[test]
fn webhook_paths_are_unique_across_sops() {
    let a_toml = "[sop]\nname = \"a\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/hook\"\n";
    let b_toml = "[sop]\nname = \"b\"\n\n[[triggers]]\ntype = \"manual\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/hook\"\n";
    let md = "## Step 1: A\n";
    let load = |folder, toml| {
        parse(&SopSource {
            folder,
            toml_file: "SOP.toml",
            toml,
            md_file: "SOP.md",
            md,
        })
        .unwrap()
    };
    let (a, b) = (load("a", a_toml), load("b", b_toml));
    let conflicts = webhook_conflicts(&[
        Sourced {
            sop: &a,
            toml_file: "a/SOP.toml",
            toml_text: a_toml,
        },
        Sourced {
            sop: &b,
            toml_file: "b/SOP.toml",
            toml_text: b_toml,
        },
    ]);
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].0, 1);
    assert_eq!(
        conflicts[0].1.to_string(),
        "b/SOP.toml:9:8: webhook path `/hook` is already used by SOP `a` (help: each webhook path starts one SOP; change one of them (the other is at a/SOP.toml:6:8))"
    );
}
