//! Property tests of the condition language: arbitrary source and arbitrary JSON scopes never
//! panic, evaluation always terminates within its budget, and explanations agree with results.

use proptest::prelude::*;
use serde_json::json;
use sop_core::condition::{EmptyScope, EvalError, Expr, MapScope, Value, limits};

/// JSON values up to a few levels deep, with the awkward cases: big and negative numbers,
/// numeric and priority strings, empty containers.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        prop_oneof![
            Just("high"),
            Just("CRITICAL"),
            Just("85%"),
            Just("true"),
            Just("yes"),
            Just(""),
            Just("-1.5")
        ]
        .prop_map(serde_json::Value::from),
        ".{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-zA-Z_]{1,6}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Scopes whose names collide with the ones generated expressions use.
fn scope() -> impl Strategy<Value = MapScope> {
    prop::collection::btree_map(
        prop_oneof![
            Just("a"),
            Just("B"),
            Just("severity"),
            Just("x_1"),
            Just("list")
        ],
        json_value(),
        0..5,
    )
    .prop_map(|m| m.into_iter().collect())
}

/// Mostly well-formed expressions: tokens of the language strung together at random.
fn token_soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("a"),
        Just("b.c"),
        Just("severity"),
        Just("x_1[0]"),
        Just("list['k']"),
        Just("=="),
        Just("!="),
        Just("<"),
        Just(">="),
        Just("&&"),
        Just("||"),
        Just("!"),
        Just("not"),
        Just("in"),
        Just("matches"),
        Just("'^a.*'"),
        Just("'high'"),
        Just("\"x\\\"y\""),
        Just("80%"),
        Just("-2.5"),
        Just("0"),
        Just("true"),
        Just("null"),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just(","),
        Just("."),
    ];
    prop::collection::vec(token, 0..24).prop_map(|t| t.join(" "))
}

/// Well-formed expressions built from the grammar, so evaluation itself gets exercised.
fn well_formed() -> impl Strategy<Value = String> {
    let operand = prop_oneof![
        Just("a"),
        Just("B.k"),
        Just("severity"),
        Just("x_1[1]"),
        Just("list['k'][0]"),
        Just("'high'"),
        Just("'85%'"),
        Just("80%"),
        Just("-3"),
        Just("2.5"),
        Just("true"),
        Just("null"),
        Just("['a', 1, null]"),
        Just("[a, severity]"),
    ];
    let op = prop_oneof![
        Just("=="),
        Just("!="),
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">="),
        Just("in"),
        Just("not in"),
    ];
    let comparison = prop_oneof![
        (operand.clone(), op, operand.clone()).prop_map(|(l, o, r)| format!("{l} {o} {r}")),
        operand
            .clone()
            .prop_map(|o| format!("{o} matches '^[a-h]+$'")),
        operand.prop_map(str::to_string),
    ];
    comparison.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| format!("!({e})")),
            (
                inner.clone(),
                prop_oneof![Just("&&"), Just("||"), Just("and"), Just("or")],
                inner
            )
                .prop_map(|(l, o, r)| format!("({l}) {o} ({r})")),
        ]
    })
}

/// Everything a caller may do with a source string and a scope; none of it may panic.
fn exercise(src: &str, scope: &MapScope) {
    match Expr::parse(src) {
        Ok(expr) => {
            let result = expr.eval(scope);
            let explained = expr.explain(scope);
            match &result {
                Ok(v) => assert_eq!(explained.value(), Some(v), "{src}"),
                Err(e) => assert_eq!(explained.error(), Some(e.to_string().as_str()), "{src}"),
            }
            let _ = explained.render();
            let _ = serde_json::to_string(&explained).expect("explanations serialise");
            let _ = expr.holds(scope);
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in errors {
                assert!(
                    e.span.start <= e.span.end && e.span.end <= src.len(),
                    "{e:?} in {src:?}"
                );
                let _ = e.column(src);
                let _ = e.to_diagnostic("expression", src).render();
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,80}", s in scope()) {
        exercise(&src, &s);
    }

    #[test]
    fn arbitrary_token_sequences_never_panic(src in token_soup(), s in scope()) {
        exercise(&src, &s);
    }

    #[test]
    fn well_formed_expressions_parse_and_evaluate(src in well_formed(), s in scope()) {
        prop_assert!(Expr::parse(&src).is_ok(), "{src}");
        exercise(&src, &s);
    }

    #[test]
    fn json_round_trips_through_values(j in json_value()) {
        prop_assert_eq!(Value::from(j.clone()).to_json(), j);
    }

    #[test]
    fn printed_values_read_back_as_the_same_value(j in json_value()) {
        // Objects have no literal form in the language; everything else prints as its literal.
        prop_assume!(!contains_object(&j));
        let v = Value::from(j);
        let expr = Expr::parse(&v.to_string());
        prop_assume!(expr.is_ok()); // very long lists may exceed the source limit
        prop_assert_eq!(expr.unwrap().eval(&EmptyScope).unwrap(), v);
    }
}

fn contains_object(j: &serde_json::Value) -> bool {
    match j {
        serde_json::Value::Object(_) => true,
        serde_json::Value::Array(items) => items.iter().any(contains_object),
        _ => false,
    }
}

#[test]
fn hundred_thousand_nested_parentheses_are_an_error_not_a_crash() {
    let src = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(Expr::parse(&src).is_err());
    // Within the length limit, nesting is what stops it.
    let src = format!("{}x{}", "(".repeat(2000), ")".repeat(2000));
    let errors = Expr::parse(&src).unwrap_err();
    assert_eq!(errors[0].message, "expression nests deeper than 64 levels");
    let src = "!".repeat(4000);
    assert_eq!(
        Expr::parse(&src).unwrap_err()[0].message,
        "expression nests deeper than 64 levels"
    );
}

#[test]
fn a_megabyte_string_is_an_error_not_a_crash() {
    let src = format!("x == '{}'", "y".repeat(1 << 20));
    let errors = Expr::parse(&src).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].span.start, limits::MAX_SOURCE_BYTES);
}

#[test]
fn a_megabyte_value_in_the_scope_is_searched_within_the_budget() {
    let scope = MapScope::new().with("body", "z".repeat(1 << 20));
    let expr = Expr::parse("'needle' in body || body matches 'needle$'").unwrap();
    assert_eq!(expr.eval(&scope), Ok(Value::Bool(false)));
}

#[test]
fn evaluation_stops_at_the_step_budget() {
    let big: Vec<i64> = (0..60_000).collect();
    let scope = MapScope::from_json(json!({ "big": big }));
    // Each clause scans 60,000 items; together they exceed the budget.
    let expr = Expr::parse("-1 not in big && -2 not in big && -3 not in big").unwrap();
    assert_eq!(
        expr.eval(&scope),
        Err(EvalError::StepLimit {
            limit: limits::MAX_STEPS
        })
    );
    assert!(expr.explain(&scope).error().is_some());
    // A long chain of clauses over the same list also ends, however it is written.
    let src = vec!["big == big"; 200].join(" && ");
    assert!(Expr::parse(&src).unwrap().eval(&scope).is_err());
}

#[test]
fn widest_flat_expression_at_the_limit_evaluates() {
    let src = vec!["a"; 1365].join("||");
    assert!(src.len() <= limits::MAX_SOURCE_BYTES);
    let scope = MapScope::new().with("a", false);
    assert_eq!(
        Expr::parse(&src).unwrap().eval(&scope),
        Ok(Value::Bool(false))
    );
}
