//! The values conditions compute with: null, booleans, numbers, strings, lists and objects.

use super::limits::MAX_VALUE_DEPTH;
use super::number::Number;
use super::severity::severity_level;
use crate::Priority;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A value seen or produced by a condition. Strings, lists and objects are shared (`Arc`), so a
/// scope hands out values without copying the data behind them.
#[derive(Debug, Clone, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Arc<str>),
    List(Arc<[Value]>),
    Object(Arc<BTreeMap<String, Value>>),
}

impl Value {
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }

    pub fn object(entries: impl IntoIterator<Item = (String, Value)>) -> Value {
        Value::Object(Arc::new(entries.into_iter().collect()))
    }

    /// The type's name as error messages use it ("a string", "a number", ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Object(_) => "an object",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Whether a `requires` name holds: `true`; the strings "true", "yes", "on" and "1" in any
    /// case; a non-zero number. Everything else (null, other strings, lists, objects) is not.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Number(n) => !n.is_zero(),
            Value::String(s) => {
                let s = s.trim();
                ["true", "yes", "on", "1"]
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(s))
            }
            _ => false,
        }
    }

    /// The value's truth as `&&`, `||`, `!` and a whole condition read it: booleans; `null` is
    /// false; a number is true when not zero; the strings `true`/`yes`/`on`/`1` and
    /// `false`/`no`/`off`/`0`/empty in any case. `None` for values that have no truth value
    /// (other strings, lists, objects).
    pub fn truth(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Null => Some(false),
            Value::Number(n) => Some(!n.is_zero()),
            Value::String(s) => {
                let word = s.trim();
                let any = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(word));
                if any(&["true", "yes", "on", "1"]) {
                    Some(true)
                } else if any(&["false", "no", "off", "0", ""]) {
                    Some(false)
                } else {
                    None
                }
            }
            Value::List(_) | Value::Object(_) => None,
        }
    }

    /// The number this value reads as: a number, or a string such as `"85"` or `"85%"`.
    pub fn as_number(&self) -> Option<Number> {
        match self {
            Value::Number(n) => Some(*n),
            Value::String(s) => Number::parse_text(s),
            _ => None,
        }
    }

    /// The severity level this value names (`"high"`, `"CRITICAL"`, `"warning"`), if it is a
    /// severity word (see `severity.rs`).
    pub fn as_severity(&self) -> Option<Priority> {
        self.as_str().and_then(severity_level)
    }

    /// The member `key` of an object: the exact key, else the first key equal ignoring ASCII case
    /// (names are case-insensitive; JSON keys usually are not, so exact spelling wins).
    pub fn get_key(&self, key: &str) -> Option<&Value> {
        let Value::Object(map) = self else {
            return None;
        };
        map.get(key).or_else(|| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => n.to_json(),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::List(items) => items.iter().map(Value::to_json).collect(),
            Value::Object(map) => serde_json::Value::Object(
                map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
            ),
        }
    }

    fn from_json_at(json: serde_json::Value, depth: usize) -> Value {
        // serde_json refuses documents nested deeper than 128 levels when parsing text; values
        // built in code could be deeper, and stopping here keeps every later walk bounded.
        if depth > MAX_VALUE_DEPTH {
            return Value::Null;
        }
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(match n.as_i64() {
                Some(i) => Number::Int(i),
                None => Number::Float(n.as_f64().unwrap_or(f64::NAN)),
            }),
            serde_json::Value::String(s) => Value::String(s.into()),
            serde_json::Value::Array(items) => Value::List(
                items
                    .into_iter()
                    .map(|v| Value::from_json_at(v, depth + 1))
                    .collect(),
            ),
            serde_json::Value::Object(map) => Value::Object(Arc::new(
                map.into_iter()
                    .map(|(k, v)| (k, Value::from_json_at(v, depth + 1)))
                    .collect(),
            )),
        }
    }
}

/// Structural equality (`1 == 1.0`, lists element-wise). The language's looser `==` lives in the
/// evaluator; this is plain data equality for tests and callers.
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => a == b,
            _ => false,
        }
    }
}

impl From<serde_json::Value> for Value {
    fn from(json: serde_json::Value) -> Self {
        Value::from_json_at(json, 0)
    }
}

impl From<&serde_json::Value> for Value {
    fn from(json: &serde_json::Value) -> Self {
        Value::from_json_at(json.clone(), 0)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Number(Number::Int(i))
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Number(Number::Int(i64::from(i)))
    }
}

impl From<u32> for Value {
    fn from(i: u32) -> Self {
        Value::Number(Number::Int(i64::from(i)))
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Number(Number::Float(f))
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s.into())
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::List(items.into())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn truthy_words_numbers_and_booleans() {
        for v in [
            json!(true),
            json!("true"),
            json!("YES"),
            json!("On"),
            json!("1"),
            json!(2),
        ] {
            assert!(Value::from(v.clone()).is_truthy(), "{v}");
        }
        for v in [
            json!(false),
            json!(null),
            json!("no"),
            json!("0"),
            json!(0),
            json!(""),
            json!([1]),
        ] {
            assert!(!Value::from(v.clone()).is_truthy(), "{v}");
        }
    }

    #[test]
    fn json_round_trips() {
        let j = json!({"a": [1, 2.5, "x", null, true], "b": {"c": 9007199254740993_i64}});
        assert_eq!(Value::from(j.clone()).to_json(), j);
    }

    #[test]
    fn keys_prefer_exact_spelling() {
        let v = Value::from(json!({"Env": 1, "env": 2, "Other": 3}));
        assert_eq!(v.get_key("env"), Some(&Value::from(2)));
        assert_eq!(v.get_key("OTHER"), Some(&Value::from(3)));
        assert_eq!(v.get_key("missing"), None);
    }

    #[test]
    fn numeric_and_severity_views() {
        assert_eq!(Value::from("85%").as_number(), Some(Number::Int(85)));
        assert_eq!(Value::from("High").as_severity(), Some(Priority::High));
        assert_eq!(Value::from("warning").as_severity(), Some(Priority::Normal));
        assert_eq!(Value::from(3).as_severity(), None);
    }
}
