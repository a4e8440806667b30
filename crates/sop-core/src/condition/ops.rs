//! Truth of a value, `in` and `matches`: the operators besides comparisons.

use super::budget::Budget;
use super::compare::equals;
use super::eval_error::EvalError;
use super::value::Value;
use std::ops::Range;

/// Whether a value counts as a met condition for `&&`, `||`, `!` and a whole expression:
/// booleans as they are, `null` (missing) as false, numbers when non-zero, and the words
/// true/yes/on/1 and false/no/off/0 (any case). Any other value is an error, so a condition
/// such as `severity` (value `'critical'`) fails loudly instead of silently being false.
pub(crate) fn condition(value: &Value, span: &Range<usize>) -> Result<bool, EvalError> {
    value.truth().ok_or_else(|| not_a_condition(value, span))
}

fn not_a_condition(value: &Value, span: &Range<usize>) -> EvalError {
    EvalError::type_error(
        span,
        format!(
            "{} is {}, not true or false",
            value.display_short(40),
            value.type_name()
        ),
    )
}

/// `item in collection`: membership in a list (by `==`), substring of a string, key of an
/// object. A missing collection contains nothing.
pub(crate) fn contains(
    item: &Value,
    collection: &Value,
    span: &Range<usize>,
    budget: &mut Budget,
) -> Result<bool, EvalError> {
    match collection {
        Value::Null => Ok(false),
        Value::List(items) => {
            budget.charge(items.len() as u64)?;
            for candidate in items.iter() {
                if equals(item, candidate, budget, 0)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::String(hay) => {
            budget.charge_text(hay.len())?;
            match item {
                Value::String(needle) => Ok(hay.contains(&**needle)),
                Value::Number(n) => Ok(hay.contains(&n.to_string())),
                Value::Null => Ok(false),
                other => Err(EvalError::type_error(
                    span,
                    format!(
                        "cannot look for {} ({}) inside the string {}",
                        other.display_short(40),
                        other.type_name(),
                        collection.display_short(40)
                    ),
                )),
            }
        }
        Value::Object(_) => match item {
            Value::String(key) => Ok(collection.get_key(key).is_some()),
            Value::Null => Ok(false),
            other => Err(EvalError::type_error(
                span,
                format!(
                    "object keys are strings; cannot look for {} ({})",
                    other.display_short(40),
                    other.type_name()
                ),
            )),
        },
        other => Err(EvalError::type_error(
            span,
            format!(
                "`in` needs a list, a string or an object on its right, found {} ({})",
                other.display_short(40),
                other.type_name()
            ),
        )),
    }
}

/// `value matches 'pattern'`: strings (and numbers, by their written form) are searched for
/// the pattern anywhere unless it is anchored; a missing value does not match.
pub(crate) fn is_match(
    value: &Value,
    regex: &regex::Regex,
    span: &Range<usize>,
    budget: &mut Budget,
) -> Result<bool, EvalError> {
    match value {
        Value::Null => Ok(false),
        Value::String(s) => {
            budget.charge_text(s.len())?;
            Ok(regex.is_match(s))
        }
        Value::Number(n) => Ok(regex.is_match(&n.to_string())),
        other => Err(EvalError::type_error(
            span,
            format!(
                "`matches` needs a string on its left, found {} ({})",
                other.display_short(40),
                other.type_name()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn within(item: impl Into<Value>, coll: serde_json::Value) -> Result<bool, EvalError> {
        contains(&item.into(), &coll.into(), &(0..1), &mut Budget::default())
    }

    #[test]
    fn membership_substring_and_keys() {
        assert_eq!(within("b", json!(["a", "b"])), Ok(true));
        assert_eq!(within(2, json!(["1", "2"])), Ok(true));
        assert_eq!(within("z", json!(["a"])), Ok(false));
        assert_eq!(within("prod", json!("production")), Ok(true));
        assert_eq!(within("Prod", json!("production")), Ok(false));
        assert_eq!(within("k", json!({"k": 1})), Ok(true));
        assert_eq!(within("x", json!(null)), Ok(false));
        assert!(within("x", json!(5)).is_err());
        assert!(within(true, json!("true")).is_err());
    }

    #[test]
    fn truth_of_values() {
        let span = 0..1;
        assert_eq!(condition(&Value::from("Yes"), &span), Ok(true));
        assert_eq!(condition(&Value::from("off"), &span), Ok(false));
        assert_eq!(condition(&Value::Null, &span), Ok(false));
        assert_eq!(condition(&Value::from(0.5), &span), Ok(true));
        assert_eq!(
            condition(&Value::from("critical"), &span)
                .unwrap_err()
                .to_string(),
            "'critical' is a string, not true or false"
        );
        assert!(condition(&Value::from(json!([true])), &span).is_err());
    }

    #[test]
    fn step_budget_bounds_big_lists() {
        let big = Value::list((0..200_000).map(Value::from));
        let r = contains(&Value::from(-1), &big, &(0..1), &mut Budget::default());
        assert!(matches!(r, Err(EvalError::StepLimit { .. })));
    }
}
