//! Verdicts over an SOP's `[conditions]`, with the detail line of each item.

use super::{parse, scope};
use crate::condition::{LayeredScope, MapScope, evaluate};
use crate::definition::{ConditionExpression, Conditions, Requirement};
use serde_json::json;

fn name(n: &str) -> Requirement {
    Requirement::Name { name: n.into() }
}

fn expr(src: &str) -> Requirement {
    Requirement::Expression {
        source: src.into(),
        expr: parse(src),
    }
}

fn details(c: &Conditions, s: &dyn crate::condition::Scope) -> (bool, Vec<(bool, String)>) {
    let v = evaluate(c, s);
    (
        v.met,
        v.items.into_iter().map(|i| (i.holds, i.detail)).collect(),
    )
}

#[test]
fn names_hold_when_truthy_and_say_why() {
    let builtins = MapScope::new()
        .with("business_hours", false)
        .with_note("business_hours", "19:04 Europe/Berlin");
    let vars = scope(json!({"tests_passed": "yes", "count": 0}));
    let s = LayeredScope::new().then(&vars).then(&builtins);
    let c = Conditions {
        requires: vec![
            name("PROD_DOWN"),
            name("tests_passed"),
            name("business_hours"),
            name("Count"),
        ],
        expression: None,
    };
    assert_eq!(
        details(&c, &s),
        (
            false,
            vec![
                (false, "PROD_DOWN: not set".to_string()),
                (true, "tests_passed: 'yes'".to_string()),
                (
                    false,
                    "business_hours: false (19:04 Europe/Berlin)".to_string()
                ),
                (false, "Count: 0".to_string()),
            ]
        )
    );
}

#[test]
fn expressions_show_the_values_they_read() {
    let s = scope(json!({"severity": "critical", "env": "prod", "disk_usage": "abc"}))
        .with_note("env", "from --vars");
    let c = Conditions {
        requires: vec![expr("severity >= 'high'"), expr("disk_usage > 80%")],
        expression: Some(ConditionExpression {
            source: "env == 'prod' && SEVERITY != 'low' && severity != 'normal'".into(),
            expr: parse("env == 'prod' && SEVERITY != 'low' && severity != 'normal'"),
        }),
    };
    assert_eq!(
        details(&c, &s),
        (
            false,
            vec![
                (true, "severity >= 'high': true ('critical')".to_string()),
                (
                    false,
                    "disk_usage > 80%: not met (error: cannot compare 'abc' with 80)".to_string()
                ),
                (
                    true,
                    "env == 'prod' && SEVERITY != 'low' && severity != 'normal': true (env = 'prod' [from --vars], SEVERITY = 'critical')"
                        .to_string()
                ),
            ]
        )
    );
}

#[test]
fn empty_conditions_are_met_and_all_holding_items_meet() {
    let s = scope(json!({"a": true}));
    assert!(evaluate(&Conditions::default(), &s).met);
    let c = Conditions {
        requires: vec![name("a"), expr("1 < 2")],
        expression: None,
    };
    let v = evaluate(&c, &s);
    assert!(v.met);
    assert_eq!(v.items[1].detail, "1 < 2: true");
    assert_eq!(
        serde_json::to_value(&v).unwrap(),
        json!({"met": true, "items": [
            {"source": "a", "holds": true, "detail": "a: true"},
            {"source": "1 < 2", "holds": true, "detail": "1 < 2: true"}
        ]})
    );
}

#[test]
fn a_name_whose_source_failed_fails_closed_with_the_reason() {
    let mut builtins = MapScope::new();
    builtins.set_unavailable("on_call_available", "oncall.toml:5:9: bad shift");
    let vars = scope(json!({"prod_down": true}));
    let s = LayeredScope::new().then(&vars).then(&builtins);
    let c = Conditions {
        requires: vec![
            name("ON_CALL_AVAILABLE"),
            name("PROD_DOWN"),
            expr("on_call_available == false"),
            expr("prod_down || on_call_available"),
        ],
        expression: None,
    };
    assert_eq!(
        details(&c, &s),
        (
            false,
            vec![
                (
                    false,
                    "ON_CALL_AVAILABLE: not met (error: oncall.toml:5:9: bad shift)".to_string()
                ),
                (true, "PROD_DOWN: true".to_string()),
                (
                    false,
                    "on_call_available == false: not met (error: `on_call_available` cannot be \
                     read: oncall.toml:5:9: bad shift)"
                        .to_string()
                ),
                (
                    true,
                    "prod_down || on_call_available: true (prod_down = true, on_call_available \
                     = error: `on_call_available` cannot be read: oncall.toml:5:9: bad shift)"
                        .to_string()
                ),
            ]
        )
    );
}

#[test]
fn a_name_not_set_but_close_to_one_that_is_says_which() {
    let vars = scope(json!({"severity": "critical", "prod_down": true, "empty": null}));
    let c = Conditions {
        requires: vec![name("PROD_DWN"), name("emty")],
        expression: Some(ConditionExpression {
            source: "severty >= 'high'".into(),
            expr: parse("severty >= 'high'"),
        }),
    };
    assert_eq!(
        details(&c, &vars).1,
        vec![
            (
                false,
                "PROD_DWN: not set [did you mean `prod_down`?]".to_string()
            ),
            // `empty` is not set either: nothing to suggest.
            (false, "emty: not set".to_string()),
            (
                false,
                "severty >= 'high': false (null [did you mean `severity`?])".to_string()
            ),
        ]
    );
}
