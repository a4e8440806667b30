//! The environment contract: every variable a step sees, verbatim.

use super::*;
use serde_json::json;

/// Values that would run something if they ever reached a shell unquoted.
pub(super) const HOSTILE: [&str; 9] = [
    "$(touch MARKER)",
    "`touch MARKER`",
    "'; touch MARKER #",
    "\"; touch MARKER; \"",
    "a\ntouch MARKER\n",
    "$((1+1)) ${HOME} $HOME \\$ \\",
    "a[$(touch MARKER)]",
    "  leading and trailing spaces  ",
    "ünïcödé ✓ \t tab",
];

#[test]
fn every_variable_is_in_the_environment_verbatim() {
    for value in HOSTILE {
        let f = Fixture::new(json!({ "x": value }));
        let (r, _) = f.sh("printf %s \"$SOP_VAR_X\"");
        assert!(r.succeeded(), "{value:?}: {r:?}");
        assert_eq!(tail(&r), value);
        assert!(!f.path("MARKER").exists(), "{value:?} ran a command");
    }
}

#[test]
fn names_are_upper_cased_and_nested_values_are_json() {
    let f = Fixture::new(json!({
        "db-host": "db1", "count": 3, "dry_run": true, "alert": {"labels": {"sev": "page"}}
    }));
    let (r, _) = f.sh(
        "printf '%s|%s|%s|%s' \"$SOP_VAR_DB_HOST\" \"$SOP_VAR_COUNT\" \"$SOP_VAR_DRY_RUN\" \
         \"$SOP_VAR_ALERT\"",
    );
    assert_eq!(tail(&r), r#"db1|3|true|{"labels":{"sev":"page"}}"#);
}

#[test]
fn sop_vars_holds_every_variable_as_json() {
    let vars = json!({"a": "it's", "n": [1, 2], "o": {"k": null}});
    let f = Fixture::new(vars.clone());
    let (r, _) = f.sh("printf %s \"$SOP_VARS\"");
    let parsed: Value = serde_json::from_str(tail(&r)).unwrap();
    assert_eq!(parsed, vars);
}

#[test]
fn run_step_attempt_and_output_file_are_set() {
    let f = Fixture::new(json!({}));
    let (r, _) = f.sh(
        "printf '%s|%s|%s|%s' \"$SOP_RUN_ID\" \"$SOP_NAME\" \"$SOP_STEP\" \"$SOP_ATTEMPT\"; \
         echo; printf %s \"$SOP_OUTPUT\"",
    );
    let (first, output) = tail(&r).split_once('\n').unwrap();
    assert_eq!(first, "run-1234|deploy|3|1");
    assert_eq!(
        Path::new(output).parent().unwrap(),
        f.scratch.path(),
        "the output file lives in the scratch directory, not the working directory"
    );
}

#[test]
fn earlier_outputs_are_sop_step_n_key() {
    let f = Fixture::new(json!({}));
    let mut earlier: BTreeMap<u32, Outputs> = BTreeMap::new();
    earlier.insert(
        1,
        [("build-id".to_string(), "$(touch MARKER)\nline".to_string())].into(),
    );
    earlier.insert(2, [("version".to_string(), "1.4".to_string())].into());
    let r = f.run_with(
        &[Script::new(
            "sh",
            "printf '%s|%s' \"$SOP_STEP_1_BUILD_ID\" \"$SOP_STEP_2_VERSION\"",
        )],
        None,
        0,
        &earlier,
        &mut Quiet,
    );
    assert_eq!(tail(&r), "$(touch MARKER)\nline|1.4");
    assert!(!f.path("MARKER").exists());
}

#[test]
fn the_parent_environment_is_passed_on() {
    let f = Fixture::new(json!({}));
    let (r, _) = f.sh("printf %s \"$PATH\"");
    assert_eq!(tail(&r), std::env::var("PATH").unwrap());
}

#[test]
fn inherited_sop_variables_are_recognised_for_removal() {
    for own in [
        "SOP_VAR_X",
        "SOP_VARS",
        "SOP_RUN_ID",
        "SOP_NAME",
        "SOP_STEP",
        "SOP_STEP_2_KEY",
        "SOP_OUTPUT",
        "SOP_ATTEMPT",
    ] {
        assert!(env::is_own_name(own), "{own}");
    }
    for theirs in ["SOP_DIR", "SOP_DATABASE_URL", "SOP_USER", "SOP_NOW", "PATH"] {
        assert!(!env::is_own_name(theirs), "{theirs}");
    }
}
