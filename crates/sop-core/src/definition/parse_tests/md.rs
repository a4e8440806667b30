//! Tests of `definition::parse` on SOP.md: step headings and numbering, options lines, fences,
//! lists and placeholders in commands.

use super::*;

#[test]
fn step_numbers_must_run_one_to_n() {
    assert_eq!(
        md_errors("## Step 1: A\n## Step 1: B\n## Step 2: C\n"),
        [
            "demo/SOP.md:2:1: step 1 appears twice (first on line 1) (help: number the steps 1, 2, 3, ... in the order they appear)"
        ]
    );
    assert_eq!(
        md_errors("## Step 1: A\n## Step 3: C\n"),
        [
            "demo/SOP.md:2:1: step 2 is missing: step 1 is followed by step 3 (help: number the steps 1, 2, 3, ... in the order they appear)"
        ]
    );
    assert_eq!(
        md_errors("## Step 2: A\n"),
        [
            "demo/SOP.md:1:1: the first step must be step 1, not step 2 (help: number the steps 1, 2, 3, ... in the order they appear)"
        ]
    );
    assert_eq!(
        md_errors("## Step 1: A\n## Step 3: C\n## Step 2: B\n"),
        [
            "demo/SOP.md:2:1: step 2 is missing: step 1 is followed by step 3 (help: number the steps 1, 2, 3, ... in the order they appear)",
            "demo/SOP.md:3:1: step 2 comes after step 3 (help: number the steps 1, 2, 3, ... in the order they appear)",
        ]
    );
}

#[test]
fn no_steps_is_an_error() {
    assert_eq!(
        md_errors("# Title\n\nJust prose.\n"),
        [
            "demo/SOP.md:1:1: SOP.md has no steps (help: a step is a level-2 heading: add `## Step 1: Title` followed by its text)"
        ]
    );
    assert_eq!(
        md_errors(""),
        [
            "demo/SOP.md:1:1: SOP.md is empty: it has no steps (help: a step is a level-2 heading: add `## Step 1: Title` followed by its text)"
        ]
    );
}

#[test]
fn malformed_headings_are_explained() {
    assert_eq!(
        md_errors("## Step 1: A\n## Step two: B\n## Notes\n"),
        [
            "demo/SOP.md:2:1: malformed step heading: expected a step number after `Step` (help: write step headings as `## Step N: Title`, e.g. `## Step 1: Assess impact`)",
            "demo/SOP.md:3:1: a level-2 heading after the first step must be a step heading (help: write `## Step N: Title`, or use `###` for a sub-section inside a step)",
        ]
    );
}

#[test]
fn bad_step_options_are_reported_key_by_key() {
    let md = "## Step 1: A\n<!-- sop: timout = \"10m\", retries = -1, manual = \"yes\", approval = \"requird\", timeout = \"soon\" -->\n";
    assert_eq!(
        md_errors(md),
        [
            "demo/SOP.md:2:11: unknown key `timout` in step options (help: did you mean `timeout`?)",
            "demo/SOP.md:2:37: `retries` must be between 0 and 10 (help: e.g. retries = 0)",
            "demo/SOP.md:2:50: `manual` in step options must be a boolean, found a string (help: write manual = true or manual = false, without quotes)",
            "demo/SOP.md:2:68: `requird` is not a valid `approval` (help: did you mean `required`?)",
            "demo/SOP.md:2:89: `timeout`: invalid duration `soon`: expected a number before the unit, e.g. \"90s\" (help: write a number and a unit (s, m, h, d, w), e.g. \"90s\", \"10m\", \"24h\", \"7d\" or \"1h30m\")",
        ]
    );
}

#[test]
fn step_option_syntax_errors_point_into_the_comment() {
    let errs = md_errors("## Step 1: A\n<!-- sop: retries = -->\n");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].starts_with("demo/SOP.md:2:"), "{errs:?}");
    assert!(errs[0].contains("TOML syntax"), "{errs:?}");
}

#[test]
fn options_comments_must_sit_under_a_heading_once() {
    assert_eq!(
        md_errors("<!-- sop: retries = 1 -->\n## Step 1: A\n"),
        [
            "demo/SOP.md:1:1: a `<!-- sop: ... -->` options line must come directly under a step heading (help: move it to the line after `## Step N: Title`)"
        ]
    );
    assert_eq!(
        md_errors("## Step 1: A\nText.\n\n<!-- sop: retries = 1 -->\n"),
        [
            "demo/SOP.md:4:1: a `<!-- sop: ... -->` options line must come directly under a step heading (help: move it to the line after `## Step N: Title`)"
        ]
    );
    assert_eq!(
        md_errors("## Step 1: A\n<!-- sop: retries = 1 -->\n<!-- sop: idempotent = true -->\n"),
        [
            "demo/SOP.md:3:1: this step already has an options line (help: merge the options into the first `<!-- sop: ... -->` line)"
        ]
    );
    assert_eq!(
        md_errors("## Step 1: A\n<!-- sop retries = 1 -->\n"),
        [
            "demo/SOP.md:2:5: step options are written `<!-- sop: key = value, ... -->` (help: add the `:` after `sop`)"
        ]
    );
    assert_eq!(
        md_errors("## Step 1: A\nSee <!-- sop: retries = 1 --> here.\n"),
        [
            "demo/SOP.md:2:5: a `<!-- sop: ... -->` options line must be on its own line (help: put it on the line directly under the step heading)"
        ]
    );
}

#[test]
fn an_options_line_in_upper_case_applies_and_a_misspelt_one_is_an_error() {
    let sop = parse(&source(
        MINIMAL,
        "## Step 1: A\n<!-- SOP: retries = 2 -->\n- x\n",
    ))
    .unwrap();
    assert_eq!(sop.steps[0].options.retries, 2);
    assert_eq!(
        md_errors("## Step 1: A\n<!-- sops: retries = 2 -->\n"),
        [
            "demo/SOP.md:2:1: this comment looks like a step options line, but only `sop:` marks one (help: write `<!-- sop: key = value, ... -->` directly under the step heading)"
        ]
    );
}

#[test]
fn a_step_heading_at_another_level_is_an_error() {
    assert_eq!(
        md_errors("# T\n## Step 1: A\n- a\n### Step 2: B\n- b\n"),
        [
            "demo/SOP.md:4:1: a step heading must be level 2 (`##`), not level 3 (help: write `## Step 2: B`; for a sub-section inside a step, use a title that does not start with `Step N:` (`### Details`))"
        ]
    );
}

#[test]
fn a_step_heading_without_a_space_after_its_hashes_is_an_error() {
    assert_eq!(
        md_errors("# T\n## Step 1: A\n- a\n\nb\n##Step 2: B\n- b\n```sh\n##Step 3: in code\n```\n"),
        [
            "demo/SOP.md:6:1: `##Step 2` is not a heading: Markdown needs a space after the `#`s (help: write `## Step 2: B`)"
        ]
    );
    assert!(
        parse(&source(
            MINIMAL,
            "## Step 1: A\n#Stepping stones\n\n##notes\n"
        ))
        .is_ok()
    );
}

#[test]
fn unclosed_fences_and_comments_are_errors() {
    assert_eq!(
        md_errors("## Step 1: A\n```sh\necho hi\n## Step 2: B\n"),
        [
            "demo/SOP.md:2:1: this code block is never closed (help: close it with a line of three backticks (```); everything after it was read as code)"
        ]
    );
    assert_eq!(
        md_errors("## Step 1: A\n<!-- sop: retries = 1\n## Step 2: B\n"),
        [
            "demo/SOP.md:2:1: this options comment is never closed (help: end it with `-->` on the same line)"
        ]
    );
    assert_eq!(
        md_errors("## Step 1: A\n\n<!-- a note\n## Step 2: B\n"),
        [
            "demo/SOP.md:3:1: this HTML comment is never closed (help: close it with `-->`; everything after it was hidden)"
        ]
    );
}

#[test]
fn nested_lists_and_code_in_items() {
    let md = "## Step 1: A\n- Parent\n  - Child\n- Run:\n  ```sh\n  echo nested\n  ```\n\n1. Ordered\n\n> quoted\n\n### Detail\nMore.\n";
    let sop = parse(&source(TOML, md)).unwrap();
    let step = &sop.steps[0];
    assert_eq!(step.checklist, ["Parent", "Child", "Run:", "Ordered"]);
    assert_eq!(step.kind, StepKind::Automated);
    assert_eq!(step.blocks[0].code, "echo nested\n");
    assert_eq!(step.blocks[0].line, 5);
    assert_eq!(step.description, "> quoted\n\n### Detail\n\nMore.");
}
#[test]
fn command_placeholders_are_checked_where_they_stand() {
    let md =
        "## Step 1: A\n- Run:\n  ```sh\n  echo `cat {{ file }}`\n  echo {{ bad name }}\n  ```\n";
    let errs = md_errors(md);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].starts_with("demo/SOP.md:4:13: "), "{errs:?}");
    assert!(errs[0].contains("backquotes"), "{errs:?}");
    assert!(
        errs[1].starts_with("demo/SOP.md:5:8: `{{ bad name }}` is not a variable placeholder"),
        "{errs:?}"
    );
    let manual = "## Step 1: A\n<!-- sop: manual = true -->\n```sh\necho `cat {{ file }}`\n```\n";
    assert!(
        parse(&source(TOML, manual)).is_ok(),
        "manual blocks are not run"
    );
}
