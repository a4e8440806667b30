//! `==`, `!=` and the ordering comparisons, with severity order and numeric strings.

use super::ast::CmpOp;
use super::budget::Budget;
use super::eval_error::EvalError;
use super::limits::MAX_VALUE_DEPTH;
use super::severity::severity_words;
use super::value::Value;
use std::cmp::Ordering;
use std::ops::Range;

/// Applies a comparison operator. Equality never fails on mismatched types (they are simply not
/// equal); ordering with `null` is false; ordering other mismatched types is an error.
pub(crate) fn compare(
    op: CmpOp,
    left: &Value,
    right: &Value,
    span: &Range<usize>,
    budget: &mut Budget,
) -> Result<bool, EvalError> {
    let accept: fn(Ordering) -> bool = match op {
        CmpOp::Eq => return equals(left, right, budget, 0),
        CmpOp::Ne => return equals(left, right, budget, 0).map(|eq| !eq),
        CmpOp::Lt => Ordering::is_lt,
        CmpOp::Le => Ordering::is_le,
        CmpOp::Gt => Ordering::is_gt,
        CmpOp::Ge => Ordering::is_ge,
    };
    if left.is_null() || right.is_null() {
        return Ok(false);
    }
    Ok(accept(order(left, right, span)?))
}

/// The language's `==`: numbers and numeric strings compare as numbers, severity words by level
/// (so `'HIGH' == 'high'` and `'warning' == 'medium'`), a string equals a boolean only when it
/// is the word `true` or `false` (any case), lists and objects structurally. Anything else is
/// simply not equal.
pub(crate) fn equals(
    left: &Value,
    right: &Value,
    budget: &mut Budget,
    depth: usize,
) -> Result<bool, EvalError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(EvalError::TooDeep {
            limit: MAX_VALUE_DEPTH,
        });
    }
    Ok(match (left, right) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Bool(b), Value::String(s)) | (Value::String(s), Value::Bool(b)) => {
            bool_word(s) == Some(*b)
        }
        (Value::Number(a), Value::Number(b)) => a == b,
        (Value::Number(n), s @ Value::String(_)) | (s @ Value::String(_), Value::Number(n)) => {
            s.as_number() == Some(*n)
        }
        (Value::String(a), Value::String(b)) => match (left.as_severity(), right.as_severity()) {
            (Some(p), Some(q)) => p == q,
            _ => a == b,
        },
        (Value::List(a), Value::List(b)) => {
            budget.charge(a.len() as u64)?;
            if a.len() != b.len() {
                return Ok(false);
            }
            for (x, y) in a.iter().zip(b.iter()) {
                if !equals(x, y, budget, depth + 1)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Object(a), Value::Object(b)) => {
            budget.charge(a.len() as u64)?;
            if a.len() != b.len() {
                return Ok(false);
            }
            for ((ka, va), (kb, vb)) in a.iter().zip(b.iter()) {
                if ka != kb || !equals(va, vb, budget, depth + 1)? {
                    return Ok(false);
                }
            }
            true
        }
        _ => false,
    })
}

fn bool_word(s: &str) -> Option<bool> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The order of two non-null values, or why they have none.
fn order(left: &Value, right: &Value, span: &Range<usize>) -> Result<Ordering, EvalError> {
    let cannot = |why: &str| {
        EvalError::type_error(
            span,
            format!(
                "cannot compare {} with {}{why}",
                left.display_short(40),
                right.display_short(40)
            ),
        )
    };
    match (left, right) {
        (Value::String(a), Value::String(b)) => {
            match (left.as_severity(), right.as_severity()) {
                (Some(p), Some(q)) => return Ok(p.cmp(&q)),
                (Some(_), None) | (None, Some(_)) => {
                    return Err(cannot(&format!(
                        ": only one side is a severity ({})",
                        severity_words()
                    )));
                }
                (None, None) => {}
            }
            match (left.as_number(), right.as_number()) {
                (Some(x), Some(y)) => x.compare(y).ok_or_else(|| cannot("")),
                _ => Ok(a.cmp(b)),
            }
        }
        (Value::Number(_), Value::Number(_))
        | (Value::Number(_), Value::String(_))
        | (Value::String(_), Value::Number(_)) => match (left.as_number(), right.as_number()) {
            (Some(x), Some(y)) => x.compare(y).ok_or_else(|| cannot("")),
            _ => Err(cannot("")),
        },
        _ => Err(cannot(&format!(
            ": {} and {} have no order",
            left.type_name(),
            right.type_name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cmp(op: CmpOp, a: impl Into<Value>, b: impl Into<Value>) -> Result<bool, EvalError> {
        compare(op, &a.into(), &b.into(), &(0..1), &mut Budget::default())
    }

    #[test]
    fn severity_orders_by_rank_in_both_directions() {
        assert_eq!(cmp(CmpOp::Ge, "critical", "high"), Ok(true));
        assert_eq!(cmp(CmpOp::Ge, "HIGH", "high"), Ok(true));
        assert_eq!(cmp(CmpOp::Ge, "normal", "high"), Ok(false));
        assert_eq!(cmp(CmpOp::Lt, "low", "Critical"), Ok(true));
        assert_eq!(cmp(CmpOp::Gt, "high", "normal"), Ok(true));
        assert_eq!(cmp(CmpOp::Eq, "High", "HIGH"), Ok(true));
    }

    #[test]
    fn senders_severity_words_rank_with_the_levels() {
        assert_eq!(cmp(CmpOp::Ge, "critical", "warning"), Ok(true));
        assert_eq!(cmp(CmpOp::Ge, "warning", "Warning"), Ok(true));
        assert_eq!(cmp(CmpOp::Ge, "info", "warning"), Ok(false));
        assert_eq!(cmp(CmpOp::Ge, "warning", "high"), Ok(false));
        assert_eq!(cmp(CmpOp::Ge, "error", "high"), Ok(true));
        assert_eq!(cmp(CmpOp::Lt, "medium", "high"), Ok(true));
        // By text, "error" < "warning"; by level, above it.
        assert_eq!(cmp(CmpOp::Gt, "error", "warning"), Ok(true));
        assert_eq!(cmp(CmpOp::Eq, "medium", "normal"), Ok(true));
        assert_eq!(cmp(CmpOp::Eq, "warning", "high"), Ok(false));
    }

    #[test]
    fn one_sided_priority_is_an_error() {
        let err = cmp(CmpOp::Ge, "urgent", "high").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot compare 'urgent' with 'high': only one side is a severity (low, normal, high, critical, or info, informational, medium, moderate, warning, warn, error)"
        );
        assert!(cmp(CmpOp::Lt, "high", "zzz").is_err());
        assert_eq!(cmp(CmpOp::Eq, "urgent", "high"), Ok(false));
    }

    #[test]
    fn numeric_strings_compare_as_numbers() {
        assert_eq!(cmp(CmpOp::Gt, "85", 80), Ok(true));
        assert_eq!(cmp(CmpOp::Gt, "85%", 80), Ok(true));
        assert_eq!(cmp(CmpOp::Lt, 9, "10"), Ok(true));
        assert_eq!(cmp(CmpOp::Lt, "9", "10"), Ok(true));
        assert_eq!(cmp(CmpOp::Eq, "85%", 85), Ok(true));
        assert_eq!(cmp(CmpOp::Lt, "apple", "banana"), Ok(true));
    }

    #[test]
    fn type_errors_name_both_values() {
        assert_eq!(
            cmp(CmpOp::Gt, "abc", 3).unwrap_err().to_string(),
            "cannot compare 'abc' with 3"
        );
        assert_eq!(
            cmp(CmpOp::Lt, true, false).unwrap_err().to_string(),
            "cannot compare true with false: a boolean and a boolean have no order"
        );
    }

    #[test]
    fn null_orders_false_and_equals_only_null() {
        assert_eq!(cmp(CmpOp::Lt, Value::Null, 3), Ok(false));
        assert_eq!(cmp(CmpOp::Ge, "x", Value::Null), Ok(false));
        assert_eq!(cmp(CmpOp::Eq, Value::Null, Value::Null), Ok(true));
        assert_eq!(cmp(CmpOp::Eq, Value::Null, 0), Ok(false));
        assert_eq!(cmp(CmpOp::Ne, Value::Null, ""), Ok(true));
    }

    #[test]
    fn strings_equal_booleans_only_as_true_or_false() {
        assert_eq!(cmp(CmpOp::Eq, "true", true), Ok(true));
        assert_eq!(cmp(CmpOp::Eq, "FALSE", false), Ok(true));
        assert_eq!(cmp(CmpOp::Eq, "yes", true), Ok(false));
        assert_eq!(cmp(CmpOp::Eq, 1, true), Ok(false));
    }

    #[test]
    fn structures_compare_deeply() {
        let a = Value::from(json!({"x": [1, "2"]}));
        let b = Value::from(json!({"x": [1.0, 2]}));
        assert_eq!(cmp(CmpOp::Eq, a.clone(), b), Ok(true));
        assert_eq!(cmp(CmpOp::Eq, a, json!({"x": [1]})), Ok(false));
    }
}
