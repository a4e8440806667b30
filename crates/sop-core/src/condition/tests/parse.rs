//! Syntax errors with their spans, recovery, limits and the parsed expression's accessors.

use super::parse;
use crate::condition::{Expr, ParseError, is_bare_name};

fn errors(src: &str) -> Vec<ParseError> {
    match Expr::parse(src) {
        Ok(_) => panic!("`{src}` should not parse"),
        Err(e) => e,
    }
}

/// `(column, message)` of every problem, columns 1-based in characters.
fn problems(src: &str) -> Vec<(usize, String)> {
    errors(src)
        .into_iter()
        .map(|e| (e.column(src), e.message))
        .collect()
}

#[test]
fn missing_value_points_after_the_operator() {
    let src = "severity >= ";
    let e = &errors(src)[0];
    assert_eq!(e.span, 12..12);
    assert_eq!(e.column(src), 13);
    assert_eq!(
        e.message,
        "expected a value after `>=`, found the end of the expression"
    );
    assert!(e.help.is_some());
}

#[test]
fn every_independent_problem_in_one_pass() {
    assert_eq!(
        problems("a >> 3 && b === 4 || c = 'x' && d #"),
        vec![
            (4, "expected a value after `>`, found `>`".to_string()),
            (13, "unknown operator `===`".to_string()),
            (24, "unexpected character `=`".to_string()),
            (35, "unexpected character `#`".to_string()),
        ]
    );
}

#[test]
fn structural_errors() {
    assert_eq!(
        problems(""),
        vec![(1, "the expression is empty".to_string())]
    );
    assert_eq!(
        problems("(a && b"),
        vec![(1, "this `(` is never closed".to_string())]
    );
    assert_eq!(problems("a && b)"), vec![(7, "unmatched `)`".to_string())]);
    assert_eq!(
        problems("a < b < c"),
        vec![(7, "comparisons cannot be chained".to_string())]
    );
    assert_eq!(
        problems("a b"),
        vec![(
            3,
            "expected an operator after `a`, found the name `b`".to_string()
        )]
    );
    assert_eq!(
        problems("x in [1 2]"),
        vec![(
            9,
            "expected `,` or `]` in the list, found the number `2`".to_string()
        )]
    );
    assert_eq!(
        problems("'open"),
        vec![(1, "unterminated string".to_string())]
    );
    assert_eq!(
        problems("a > - b"),
        vec![(5, "`-` must be followed by a number".to_string())]
    );
}

#[test]
fn path_errors() {
    assert_eq!(
        problems("a. == 1"),
        vec![(4, "expected a key after `.`, found `==`".to_string())]
    );
    assert_eq!(
        problems("steps.1.5 == 1"),
        vec![(
            7,
            "expected a key after `.`, found the number `1.5`".to_string()
        )]
    );
    assert_eq!(
        problems("steps.1% == 1"),
        vec![(
            7,
            "expected a key after `.`, found the number `1%`".to_string()
        )]
    );
    assert_eq!(
        problems("a[b] == 1"),
        vec![(
            3,
            "an index must be a whole number or a quoted key, found the name `b`".to_string()
        )]
    );
    assert_eq!(
        problems("a[-1] == 1"),
        vec![(
            3,
            "an index must be a whole number or a quoted key, found `-`".to_string()
        )]
    );
    assert_eq!(
        problems("a[1 2] == 1"),
        vec![(5, "expected `]`, found the number `2`".to_string())]
    );
}

#[test]
fn matches_needs_a_literal_valid_bounded_pattern() {
    assert_eq!(
        problems("a matches b"),
        vec![(
            11,
            "`matches` needs a quoted pattern, found the name `b`".to_string()
        )]
    );
    assert_eq!(
        problems("a matches '('"),
        vec![(11, "invalid pattern: unclosed group".to_string())]
    );
    let huge = errors(r"a matches '\w{1000}{1000}'");
    assert!(
        huge[0]
            .message
            .starts_with("pattern is too large once compiled"),
        "{huge:?}"
    );
}

#[test]
fn nesting_limit_counts_parentheses_lists_and_not() {
    let ok = format!("{}x{}", "(".repeat(64), ")".repeat(64));
    assert!(Expr::parse(&ok).is_ok());
    let deep = format!("{}x{}", "(".repeat(65), ")".repeat(65));
    assert_eq!(
        problems(&deep),
        vec![(65, "expression nests deeper than 64 levels".to_string())]
    );
    assert_eq!(errors(&"!".repeat(65)).len(), 1);
    assert_eq!(errors(&format!("x in {}", "[".repeat(65))).len(), 1);
}

#[test]
fn source_length_limit() {
    let src = format!("x == '{}'", "a".repeat(4090));
    let e = &errors(&src)[0];
    assert_eq!(e.span, 4096..src.len());
    assert_eq!(
        e.message,
        format!(
            "expression is {} bytes long; the limit is 4096 bytes",
            src.len()
        )
    );
    let at_limit = format!("x == '{}'", "a".repeat(4089));
    assert_eq!(at_limit.len(), 4096);
    assert!(Expr::parse(&at_limit).is_ok());
}

#[test]
fn hundred_thousand_parentheses_and_a_megabyte_fail_fast() {
    let parens = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(errors(&parens).len(), 1);
    let big = format!("'{}'", "x".repeat(1 << 20));
    assert_eq!(errors(&big).len(), 1);
}

#[test]
fn accessors() {
    let e = parse("Severity >= 'high' && business_hours && SEVERITY != 'low' && a.b[0]");
    assert_eq!(
        e.source(),
        "Severity >= 'high' && business_hours && SEVERITY != 'low' && a.b[0]"
    );
    assert_eq!(e.names(), vec!["severity", "business_hours", "a"]);
    assert_eq!(e, parse(e.source()));
    assert_eq!(format!("{e:?}"), format!("Expr({:?})", e.source()));
    fn shareable<T: Clone + Send + Sync + std::fmt::Debug>() {}
    shareable::<Expr>();
}

#[test]
fn keywords_are_case_insensitive_and_not_bare_names() {
    assert!(Expr::parse("a AND b Or NOT c").is_ok());
    assert!(is_bare_name("PROD_DOWN"));
    assert!(is_bare_name("_x1"));
    assert!(!is_bare_name("true"));
    assert!(!is_bare_name("In"));
    assert!(!is_bare_name("a.b"));
    assert!(!is_bare_name("disk_usage > 80%"));
    assert!(!is_bare_name(""));
    assert!(!is_bare_name("1a"));
}
