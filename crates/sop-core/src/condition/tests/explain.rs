//! Explanations: every sub-expression with its value, error or "not evaluated".

use super::{parse, scope};
use crate::condition::{Evaluation, Value};
use serde_json::json;

#[test]
fn renders_every_sub_expression_indented() {
    let s = scope(json!({"severity": "critical", "business_hours": false}));
    let mut s = s;
    s.set_note("business_hours", "19:04 Europe/Berlin");
    let e = parse("severity >= 'high' && business_hours == true").explain(&s);
    assert_eq!(
        e.render(),
        "\
severity >= 'high' && business_hours == true => false
  severity >= 'high' => true
    severity => 'critical'
    'high' => 'high'
  business_hours == true => false
    business_hours => false (19:04 Europe/Berlin)
    true => true
"
    );
}

#[test]
fn short_circuit_and_errors_are_visible() {
    let s = scope(json!({"x": "abc"}));
    let e = parse("false && x > 3 || (x > 3 && y)").explain(&s);
    assert_eq!(
        e.render(),
        "\
false && x > 3 || (x > 3 && y) => error: cannot compare 'abc' with 3
  false && x > 3 => false
    false => false
    x > 3 => not evaluated
  (x > 3 && y) => error: cannot compare 'abc' with 3
    x > 3 => error: cannot compare 'abc' with 3
      x => 'abc'
      3 => 3
    y => not evaluated
"
    );
    assert_eq!(e.error(), Some("cannot compare 'abc' with 3"));
}

#[test]
fn serialises_as_a_json_tree() {
    let e = parse("n > 1").explain(&scope(json!({"n": 2})));
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({
            "source": "n > 1", "span": {"start": 0, "end": 5}, "outcome": "value", "value": true,
            "children": [
                {"source": "n", "span": {"start": 0, "end": 1}, "outcome": "value", "value": 2},
                {"source": "1", "span": {"start": 4, "end": 5}, "outcome": "value", "value": 1}
            ]
        })
    );
    assert_eq!(e.value(), Some(&Value::Bool(true)));
    assert!(matches!(e.children[0].outcome, Evaluation::Value { .. }));
}

#[test]
fn agrees_with_eval() {
    let s = scope(json!({"a": [1, 2], "b": "x", "c": null}));
    for src in [
        "a[0] in [a[1], 1] && b matches 'x'",
        "c == null || b > 1",
        "!(b in 'xyz') or 2 in a",
        "b > 1",
    ] {
        let expr = parse(src);
        let explained = expr.explain(&s);
        match expr.eval(&s) {
            Ok(v) => assert_eq!(explained.value(), Some(&v), "{src}"),
            Err(err) => assert_eq!(explained.error(), Some(err.to_string().as_str()), "{src}"),
        }
    }
}
