//! Tests of `definition::parse` on `[conditions]`: names or expressions, and syntax errors
//! located inside the TOML strings that hold them.

use super::*;

#[test]
fn condition_items_are_names_or_expressions() {
    let toml = format!(
        "{MINIMAL}\n[conditions]\nrequires = [\"\", \"tests_passed\"]\nexpression = \"\"\nwhen = \"x\"\n"
    );
    assert_eq!(
        toml_errors(&toml),
        [
            "demo/SOP.toml:8:13: empty item in `requires` (help: write a name such as \"PROD_DOWN\" or an expression such as \"disk_usage > 80%\")",
            "demo/SOP.toml:9:14: `expression` is empty (help: remove the key, or write e.g. expression = \"business_hours == true\")",
            "demo/SOP.toml:10:1: unknown key `when` in [conditions] (help: [conditions] accepts `requires` or `expression`)",
        ]
    );
}

#[test]
fn expression_errors_point_inside_the_string() {
    let toml = format!("{MINIMAL}\n[conditions]\nexpression = \"severity >= \"\n");
    let errs = toml_errors(&toml);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("demo/SOP.toml:8:27: in condition `severity >= `: "),
        "{errs:?}"
    );
    let toml = format!("{MINIMAL}\n[conditions]\nrequires = [\"ok\", \"disk_usage >\"]\n");
    let errs = toml_errors(&toml);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("demo/SOP.toml:8:32: in condition `disk_usage >`: "),
        "{errs:?}"
    );
    let event = MINIMAL.replace(
        "type = \"manual\"",
        "type = \"event\"\nevent = \"deploy.failed\"\ncondition = \"environment ==\"",
    );
    let errs = toml_errors(&event);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("demo/SOP.toml:7:28: in condition `environment ==`: "),
        "{errs:?}"
    );
}

#[test]
fn errors_in_a_multi_line_expression_point_at_their_line_and_column() {
    let toml = format!(
        "{MINIMAL}\n[conditions]\nexpression = \"\"\"\nseverity >= 'high' &&\n  x matches '['\n\"\"\"\n"
    );
    assert_eq!(
        toml_errors(&toml),
        [
            "demo/SOP.toml:10:13: in condition `severity >= 'high' && x matches '['`: invalid pattern: unclosed character class (help: patterns use Rust regex syntax: https://docs.rs/regex/latest/regex/#syntax)"
        ]
    );
}

#[test]
fn a_keyword_in_requires_is_an_expression_not_a_name() {
    let toml = format!("{MINIMAL}\n[conditions]\nrequires = [\"TRUE\", \"PROD_DOWN\"]\n");
    let sop = parse(&source(&toml, MD)).unwrap();
    assert!(matches!(
        sop.conditions.requires[0],
        Requirement::Expression { .. }
    ));
    assert!(matches!(
        sop.conditions.requires[1],
        Requirement::Name { .. }
    ));
}
