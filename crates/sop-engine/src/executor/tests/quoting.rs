//! `{{ name }}` placeholders in commands, run through real `sh` and `bash`: values arrive
//! verbatim and never run.

use super::environment::HOSTILE;
use super::*;
use proptest::prelude::*;
use serde_json::json;
use sop_core::definition::CodeBlock;
use sop_core::template::Vars;

fn block(lang: &str, code: &str) -> CodeBlock {
    CodeBlock {
        lang: lang.to_string(),
        code: code.to_string(),
        line: 1,
    }
}

/// Renders `code` with `x = value` and runs it with `lang`; returns stdout.
fn render_and_run(f: &Fixture, lang: &str, code: &str, value: &str) -> String {
    let variables = json!({ "x": value });
    let script = Script::render(
        &block(lang, code),
        &Vars::new(variables.as_object().unwrap()),
    )
    .unwrap();
    assert_eq!(
        script.interpreter,
        if lang == "bash" { "bash" } else { "sh" }
    );
    let (r, rec) = f.run(&[script], None, 0);
    assert!(r.succeeded(), "{lang} {code:?} with {value:?}: {r:?}");
    String::from_utf8(rec.stdout).unwrap()
}

/// Commands with a placeholder in every kind of position, and the text around the value in
/// their output.
const FORMS: [(&str, &str, &str); 6] = [
    ("printf %s {{ x }}", "", ""),
    ("printf %s \"<{{ x }}>\"", "<", ">"),
    ("printf %s '<{{ x }}>'", "<", ">"),
    ("printf %s \"$(printf %s {{ x }})\"", "", ""),
    ("printf %s a{{x}}b", "a", "b"),
    ("v={{ x }}; printf %s \"$v\"", "", ""),
];

fn expected((code, before, after): (&str, &str, &str), value: &str) -> String {
    // Command substitution drops trailing newlines, as it always does.
    let value = if code.contains("$(") {
        value.trim_end_matches('\n')
    } else {
        value
    };
    format!("{before}{value}{after}")
}

#[test]
fn hostile_values_arrive_verbatim_and_never_run() {
    let f = Fixture::new(json!({}));
    for lang in ["sh", "bash"] {
        for form in FORMS {
            for value in HOSTILE {
                let out = render_and_run(&f, lang, form.0, value);
                assert_eq!(out, expected(form, value), "{lang} {:?}", form.0);
                assert!(
                    !f.path("MARKER").exists(),
                    "{lang} {:?}: {value:?} ran",
                    form.0
                );
            }
        }
    }
}

#[test]
fn the_issue_examples_never_run() {
    let f = Fixture::new(json!({}));
    let marker = f.path("pwned");
    let values = [
        format!("$(touch {})", marker.display()),
        format!("`touch {}`", marker.display()),
        format!("'; touch {} #", marker.display()),
        format!("x\ntouch {}\n", marker.display()),
    ];
    for value in &values {
        for lang in ["sh", "bash"] {
            let out = render_and_run(&f, lang, "echo {{ x }}", value);
            assert_eq!(out, format!("{value}\n"));
            assert!(!marker.exists(), "{lang}: {value:?} ran");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn any_value_round_trips_through_sh_and_bash(value in "[^\\x00]{0,40}") {
        let f = Fixture::new(json!({}));
        for lang in ["sh", "bash"] {
            for form in FORMS {
                let out = render_and_run(&f, lang, form.0, &value);
                prop_assert_eq!(out, expected(form, &value), "{} {:?}", lang, form.0);
            }
        }
    }
}
