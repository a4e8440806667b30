//! `$SOP_OUTPUT`: what a step writes there becomes its outputs.

use super::*;
use serde_json::json;

fn outputs(pairs: &[(&str, &str)]) -> Outputs {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn key_value_lines_and_heredocs_become_outputs() {
    let f = Fixture::new(json!({}));
    let (r, _) = f.sh("echo version=1.4.2 >> \"$SOP_OUTPUT\"\n\
         printf 'notes<<EOF\\nfirst\\nsecond=2\\nEOF\\n' >> \"$SOP_OUTPUT\"");
    assert!(r.succeeded(), "{r:?}");
    assert_eq!(
        r.outputs,
        outputs(&[("version", "1.4.2"), ("notes", "first\nsecond=2")])
    );
}

#[test]
fn every_block_of_a_step_writes_to_the_same_file() {
    let f = Fixture::new(json!({}));
    let scripts = [
        Script::new("sh", "echo a=1 >> \"$SOP_OUTPUT\""),
        Script::new(
            "bash",
            "echo b=2 >> \"$SOP_OUTPUT\"; echo a=3 >> \"$SOP_OUTPUT\"",
        ),
    ];
    let (r, _) = f.run(&scripts, None, 0);
    assert_eq!(r.outputs, outputs(&[("a", "3"), ("b", "2")]));
}

#[test]
fn no_output_file_content_means_no_outputs() {
    let f = Fixture::new(json!({}));
    let (r, _) = f.sh("true");
    assert!(r.outputs.is_empty());
    assert!(r.succeeded());
}

#[test]
fn an_invalid_output_file_fails_the_step_and_names_the_line() {
    let f = Fixture::new(json!({}));
    let (r, _) = f.sh("printf 'ok=1\\nnot a pair\\n' >> \"$SOP_OUTPUT\"");
    assert_eq!(r.exit_code, Some(0));
    assert!(!r.succeeded());
    assert!(r.outputs.is_empty());
    assert_eq!(
        r.failure().as_deref(),
        Some(
            "invalid $SOP_OUTPUT file: line 2: expected `key=value` or `key<<DELIMITER`, found `not a pair`"
        )
    );
}

#[test]
fn a_deleted_output_file_is_reported() {
    let f = Fixture::new(json!({}));
    let (r, _) = f.sh("rm \"$SOP_OUTPUT\"");
    let e = r.output_error.unwrap().to_string();
    assert!(
        e.contains("a step must not delete its $SOP_OUTPUT file"),
        "{e}"
    );
}

#[test]
fn an_oversized_output_file_is_refused() {
    let f = Fixture::new(json!({}));
    let (r, _) = f.sh("head -c 1048577 /dev/zero | tr '\\0' a >> \"$SOP_OUTPUT\"");
    let e = r.output_error.unwrap().to_string();
    assert!(e.contains("larger than the limit of 1048576 bytes"), "{e}");
}

#[test]
fn each_attempt_starts_with_an_empty_file() {
    let f = Fixture::new(json!({}));
    let code = "echo \"from$SOP_ATTEMPT=x\" >> \"$SOP_OUTPUT\"; [ \"$SOP_ATTEMPT\" = 2 ]";
    let (r, _) = f.run(&[Script::new("sh", code)], None, 1);
    assert_eq!(r.attempts, 2);
    assert_eq!(r.outputs, outputs(&[("from2", "x")]));
}

#[test]
fn the_output_file_is_emptied_after_the_step() {
    let f = Fixture::new(json!({}));
    let (r, _) = f.sh("echo k=v >> \"$SOP_OUTPUT\"");
    assert!(r.succeeded());
    assert_eq!(r.outputs, outputs(&[("k", "v")]));
    for entry in std::fs::read_dir(f.scratch.path()).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            0,
            "{}",
            path.display()
        );
    }
}

#[test]
fn an_output_too_large_for_the_environment_fails_the_step_that_wrote_it() {
    let f = Fixture::new(json!({}));
    let (r, _) = f.sh("printf 'ok=1\\nblob=' >> \"$SOP_OUTPUT\"\n\
         head -c 140000 /dev/zero | tr '\\0' x >> \"$SOP_OUTPUT\"");
    assert_eq!(r.exit_code, Some(0));
    assert!(!r.succeeded());
    let why = r.failure().unwrap();
    assert!(
        why.starts_with(
            "invalid $SOP_OUTPUT file: output `blob` is 140000 bytes: later steps get it as SOP_STEP_"
        ),
        "{why}"
    );
}
