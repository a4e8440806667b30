//! Operators, precedence, severity order, numbers, names, paths, null and type errors.

use super::{eval, eval_error, parse, scope, truth};
use crate::condition::{EmptyScope, EvalError, Value};
use serde_json::json;

#[test]
fn spec_examples() {
    let vars = json!({"severity": "critical", "business_hours": true});
    assert!(truth("severity >= 'high' && business_hours == true", vars));
    let vars = json!({"severity": "normal", "business_hours": true});
    assert!(!truth("severity >= 'high' && business_hours == true", vars));
    assert!(truth(
        "environment == 'production'",
        json!({"environment": "production"})
    ));
    assert!(!truth(
        "environment == 'production'",
        json!({"environment": "staging"})
    ));
    assert!(truth("disk_usage > 80%", json!({"disk_usage": 85})));
    assert!(!truth("disk_usage > 80%", json!({"disk_usage": 80})));
}

#[test]
fn every_comparison_operator() {
    let v = json!({"n": 5});
    for (src, want) in [
        ("n == 5", true),
        ("n != 5", false),
        ("n < 6", true),
        ("n <= 5", true),
        ("n > 5", false),
        ("n >= 5", true),
        ("n < 5", false),
        ("n > 4.5", true),
        ("n >= -1", true),
    ] {
        assert_eq!(truth(src, v.clone()), want, "{src}");
    }
}

#[test]
fn logical_operators_and_their_words() {
    for (src, want) in [
        ("true && false", false),
        ("true and true", true),
        ("false || true", true),
        ("false or false", false),
        ("!true", false),
        ("not false", true),
        ("!!true", true),
        ("TRUE AND NOT FALSE", true),
    ] {
        assert_eq!(truth(src, json!({})), want, "{src}");
    }
}

#[test]
fn precedence_loosest_first_or_and_not_comparison() {
    // `&&` binds tighter than `||`.
    assert!(truth("true || false && false", json!({})));
    assert!(!truth("(true || false) && false", json!({})));
    assert!(truth("false && false || true", json!({})));
    // `!` is looser than comparisons: `!a == b` is `!(a == b)`.
    assert!(truth("!1 == 2", json!({})));
    assert!(truth("not 'a' in ['b']", json!({})));
    // ... and tighter than `&&`.
    assert!(!truth("!false && false", json!({})));
}

#[test]
fn and_or_short_circuit_past_errors() {
    let v = json!({"x": "abc"});
    assert!(!truth("false && x > 3", v.clone()));
    assert!(truth("true || x > 3", v.clone()));
    assert_eq!(
        eval_error("true && x > 3", v.clone()),
        "cannot compare 'abc' with 3"
    );
    assert_eq!(
        eval_error("false || x > 3", v),
        "cannot compare 'abc' with 3"
    );
}

#[test]
fn severity_order_both_directions_and_any_case() {
    for (sev, want) in [
        ("low", false),
        ("normal", false),
        ("high", true),
        ("CRITICAL", true),
    ] {
        assert_eq!(
            truth("severity >= 'high'", json!({"severity": sev})),
            want,
            "{sev}"
        );
        assert_eq!(
            truth("'High' <= severity", json!({"severity": sev})),
            want,
            "{sev}"
        );
    }
    assert!(truth("severity < 'Critical'", json!({"severity": "high"})));
    assert!(truth("severity == 'high'", json!({"severity": "HIGH"})));
}

#[test]
fn an_alertmanager_payload_ranks_in_its_own_words() {
    let alert = |sev: &str| json!({"commonLabels": {"severity": sev}});
    let cond = "commonLabels.severity >= 'warning'";
    assert!(truth(cond, alert("critical")));
    assert!(truth(cond, alert("warning")));
    assert!(!truth(cond, alert("info")));
    assert!(!truth("commonLabels.severity >= 'high'", alert("warning")));
}

#[test]
fn one_sided_severity_is_an_error() {
    assert_eq!(
        eval_error("severity >= 'high'", json!({"severity": "urgent"})),
        "cannot compare 'urgent' with 'high': only one side is a severity (low, normal, high, critical, or info, informational, medium, moderate, warning, warn, error)"
    );
    assert!(eval("severity > 'high'", json!({"severity": 3})).is_err());
}

#[test]
fn percentages_and_numeric_strings() {
    assert!(truth("disk_usage > 80%", json!({"disk_usage": "85"})));
    assert!(truth("disk_usage > 80%", json!({"disk_usage": "85%"})));
    assert!(truth("disk_usage > 80", json!({"disk_usage": "85.5%"})));
    assert!(!truth("disk_usage > 80%", json!({"disk_usage": "79.9"})));
    assert!(truth("count == 3", json!({"count": "3"})));
    assert!(truth("50% == 50", json!({})));
    assert!(truth("0.5 < 1", json!({})));
}

#[test]
fn names_are_case_insensitive() {
    let v = json!({"Prod_Down": true, "ALERT": {"labels": {"severity": "high"}}});
    assert!(truth("prod_down", v.clone()));
    assert!(truth("PROD_DOWN == true", v.clone()));
    assert!(truth("alert.labels.severity == 'high'", v.clone()));
    assert!(truth("Alert.Labels.Severity == 'high'", v));
}

#[test]
fn missing_names_are_null() {
    let v = json!({});
    assert!(truth("missing == null", v.clone()));
    assert!(!truth("missing != null", v.clone()));
    assert!(!truth("missing > 3", v.clone()));
    assert!(!truth("missing <= 3", v.clone()));
    assert!(!truth("missing == false", v.clone()));
    assert_eq!(parse("missing").holds(&scope(v.clone())), Ok(false));
    assert!(truth("!missing", v.clone()));
    assert!(truth("a.b.c == null", v));
    assert_eq!(parse("x").eval(&EmptyScope), Ok(Value::Null));
}

#[test]
fn null_in_values_and_literals() {
    assert!(truth("x == null", json!({"x": null})));
    assert!(!truth("x == null", json!({"x": 0})));
    assert!(!truth("x == null", json!({"x": ""})));
    assert!(!truth("null < 1", json!({})));
    assert!(truth("null == null", json!({})));
}

#[test]
fn booleans_against_strings() {
    assert!(truth(
        "business_hours == true",
        json!({"business_hours": "true"})
    ));
    assert!(truth(
        "business_hours == false",
        json!({"business_hours": "False"})
    ));
    assert!(!truth(
        "business_hours == true",
        json!({"business_hours": "yes"})
    ));
    assert!(truth(
        "business_hours != true",
        json!({"business_hours": "maybe"})
    ));
}

#[test]
fn equality_across_types_is_false_not_an_error() {
    assert!(!truth("x == 3", json!({"x": "abc"})));
    assert!(!truth("x == [1]", json!({"x": {"a": 1}})));
    assert!(truth("x == [1, 'a']", json!({"x": [1.0, "a"]})));
}

#[test]
fn type_errors_fail_closed_with_the_reason() {
    assert_eq!(
        eval_error("'abc' > 3", json!({})),
        "cannot compare 'abc' with 3"
    );
    assert_eq!(
        eval_error("x < [1]", json!({"x": [1]})),
        "cannot compare [1] with [1]: a list and a list have no order"
    );
    assert_eq!(
        eval_error("x && true", json!({"x": "critical"})),
        "'critical' is a string, not true or false"
    );
    assert_eq!(
        eval_error("x in 5", json!({"x": "a"})),
        "`in` needs a list, a string or an object on its right, found 5 (a number)"
    );
    let expr = parse("severity");
    let err = expr
        .holds(&scope(json!({"severity": "critical"})))
        .unwrap_err();
    assert!(matches!(err, EvalError::Type { span, .. } if span == (0..8)));
}

#[test]
fn in_on_lists_strings_and_objects() {
    let v =
        json!({"env": "prod", "tags": ["a", "b"], "msg": "disk full on db-1", "h": {"X-Id": 1}});
    assert!(truth("env in ['prod', 'staging']", v.clone()));
    assert!(!truth("env in ['dev']", v.clone()));
    assert!(truth("env not in ['dev']", v.clone()));
    assert!(truth("'b' in tags", v.clone()));
    assert!(truth("'full' in msg", v.clone()));
    assert!(!truth("'FULL' in msg", v.clone()));
    assert!(truth("'X-Id' in h", v.clone()));
    assert!(!truth("'a' in missing", v.clone()));
    assert!(truth("env in [env, 'x']", v.clone()));
    assert!(truth("1 in ['1', 2]", v.clone()));
    assert!(truth("1 in msg", v));
}

#[test]
fn matches_searches_strings_with_the_pattern() {
    let v = json!({"service": "api-gateway", "code": 503});
    assert!(truth("service matches '^api-'", v.clone()));
    assert!(!truth("service matches '^web'", v.clone()));
    assert!(truth("code matches '^5\\d\\d$'", v.clone()));
    assert!(!truth("missing matches '.'", v.clone()));
    assert_eq!(
        eval_error("x matches 'a'", json!({"x": [1]})),
        "`matches` needs a string on its left, found [1] (a list)"
    );
}

#[test]
fn dotted_and_indexed_paths() {
    let v = json!({
        "alert": {"labels": {"severity": "critical"}},
        "alerts": [{"status": "firing"}, {"status": "resolved"}],
        "headers": {"x-github-event": "push"},
        "n": "abc"
    });
    assert!(truth("alert.labels.severity >= 'high'", v.clone()));
    assert!(truth("alerts[0].status == 'firing'", v.clone()));
    assert!(truth("alerts[1]['status'] == 'resolved'", v.clone()));
    assert!(truth("alerts[9].status == null", v.clone()));
    assert!(truth("headers['x-github-event'] == 'push'", v.clone()));
    assert!(truth("alert.labels.missing == null", v.clone()));
    assert!(truth(
        "x.in == 1 && x.TRUE == 2",
        json!({"x": {"in": 1, "true": 2}})
    ));
    assert_eq!(
        eval_error("n.length > 1", v.clone()),
        "`n.length`: cannot read the key 'length' of 'abc' (a string)"
    );
    assert_eq!(
        eval_error("tags.first == 'x'", json!({"tags": ["a"]})),
        "`tags.first`: cannot read the key 'first' of ['a'] (a list)"
    );
}

#[test]
fn a_key_of_digits_reads_a_numbered_key() {
    let v = json!({"steps": {"1": {"ok": "no", "exit_code": 0}, "12": {"ok": "yes"}}});
    assert!(truth("steps.1.ok == 'no'", v.clone()));
    assert!(truth(
        "steps.12.ok == 'yes' && steps.1.exit_code == 0",
        v.clone()
    ));
    assert!(truth("steps[1].ok == 'no'", v.clone()));
    assert!(truth("steps.3.ok == null", v.clone()));
    assert_eq!(
        eval_error("steps.1.ok.x == 1", v),
        "`steps.1.ok.x`: cannot read the key 'x' of 'no' (a string)"
    );
    let alerts = json!({"alerts": [{"status": "firing"}]});
    assert!(truth(
        "alerts.0.status == 'firing' && alerts.0.status == alerts[0].status",
        alerts.clone()
    ));
    assert!(truth("alerts.1.status == null", alerts));
}

#[test]
fn lists_and_literal_values() {
    assert_eq!(
        eval("[1, 'a', true, null]", json!({})),
        Ok(Value::from(json!([1, "a", true, null])))
    );
    assert_eq!(
        eval("[x, 2]", json!({"x": 1})),
        Ok(Value::from(json!([1, 2])))
    );
    assert_eq!(eval("'it\\'s'", json!({})), Ok(Value::from("it's")));
    assert_eq!(eval("-2.5", json!({})), Ok(Value::from(-2.5)));
}

#[test]
fn step_budget_stops_huge_inputs() {
    let big: Vec<i64> = (0..200_000).collect();
    let err = eval("-1 in big", json!({ "big": big })).unwrap_err();
    assert!(
        matches!(err, EvalError::StepLimit { limit: 100_000 }),
        "{err:?}"
    );
}

#[test]
fn holds_follows_truth_of_the_result() {
    let s = scope(json!({"flag": "yes", "n": 0}));
    assert_eq!(parse("flag").holds(&s), Ok(true));
    assert_eq!(parse("n").holds(&s), Ok(false));
    assert_eq!(parse("missing").holds(&s), Ok(false));
    assert!(parse("[1]").holds(&s).is_err());
}
