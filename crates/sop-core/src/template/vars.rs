//! The values a template can name: the run's variables and the outputs of earlier steps.

use crate::step_output::Outputs;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What `{{ name }}` resolves against. `steps` is a reserved first name: `steps.N.key` is the
/// output `key` of step `N`, so a variable called `steps` cannot be named in a template.
#[derive(Debug, Clone, Copy)]
pub struct Vars<'a> {
    variables: &'a Map<String, Value>,
    steps: Option<&'a BTreeMap<u32, Outputs>>,
}

/// Why a name did not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LookupError {
    /// Not there; `detail` explains a partial path (`alert.labels` is a string, ...).
    Missing(Option<String>),
    Ambiguous(Vec<String>),
}

impl<'a> Vars<'a> {
    pub fn new(variables: &'a Map<String, Value>) -> Self {
        Vars {
            variables,
            steps: None,
        }
    }

    /// Adds the outputs of earlier steps, by step number.
    pub fn with_steps(mut self, steps: &'a BTreeMap<u32, Outputs>) -> Self {
        self.steps = Some(steps);
        self
    }

    /// Resolves a dotted path; names match case-insensitively when no exact match exists.
    pub(crate) fn lookup(&self, path: &[String]) -> Result<Cow<'a, Value>, LookupError> {
        let (first, rest) = path.split_first().ok_or(LookupError::Missing(None))?;
        if first.eq_ignore_ascii_case("steps") {
            return self.lookup_step(rest);
        }
        let root = find_key(self.variables, first)?;
        descend(root, path, 1)
    }

    fn lookup_step(&self, rest: &[String]) -> Result<Cow<'a, Value>, LookupError> {
        let steps = self.steps.ok_or(LookupError::Missing(Some(
            "no step has run before this one".to_string(),
        )))?;
        let Some((number, rest)) = rest.split_first() else {
            let all: Map<String, Value> = steps
                .iter()
                .map(|(n, outputs)| (n.to_string(), outputs_value(outputs)))
                .collect();
            return Ok(Cow::Owned(Value::Object(all)));
        };
        let n: u32 = number.parse().map_err(|_| {
            LookupError::Missing(Some(format!(
                "`steps.{number}`: write the step number, e.g. `steps.2.{number}`"
            )))
        })?;
        let outputs = steps
            .get(&n)
            .ok_or_else(|| LookupError::Missing(Some(format!("step {n} has no outputs (yet)"))))?;
        let Some((key, rest)) = rest.split_first() else {
            return Ok(Cow::Owned(outputs_value(outputs)));
        };
        let value = match outputs.get(key.as_str()) {
            Some(v) => v,
            None => {
                let matches: Vec<&String> = outputs
                    .keys()
                    .filter(|k| k.eq_ignore_ascii_case(key))
                    .collect();
                match matches.as_slice() {
                    [one] => &outputs[*one],
                    [] => {
                        return Err(LookupError::Missing(Some(format!(
                            "step {n} wrote no output `{key}`"
                        ))));
                    }
                    many => {
                        return Err(LookupError::Ambiguous(
                            many.iter().map(|k| k.to_string()).collect(),
                        ));
                    }
                }
            }
        };
        if let Some(part) = rest.first() {
            return Err(LookupError::Missing(Some(format!(
                "step outputs are text, so `{key}` has no part `{part}`"
            ))));
        }
        Ok(Cow::Owned(Value::String(value.clone())))
    }
}

fn outputs_value(outputs: &Outputs) -> Value {
    Value::Object(
        outputs
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn find_key<'v>(map: &'v Map<String, Value>, name: &str) -> Result<&'v Value, LookupError> {
    if let Some(v) = map.get(name) {
        return Ok(v);
    }
    let matches: Vec<(&String, &Value)> = map
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .collect();
    match matches.as_slice() {
        [(_, v)] => Ok(v),
        [] => Err(LookupError::Missing(None)),
        many => Err(LookupError::Ambiguous(
            many.iter().map(|(k, _)| k.to_string()).collect(),
        )),
    }
}

/// Walks `path[from..]` into objects (by key) and arrays (by index).
fn descend<'v>(
    mut value: &'v Value,
    path: &[String],
    from: usize,
) -> Result<Cow<'v, Value>, LookupError> {
    for (i, part) in path.iter().enumerate().skip(from) {
        let here = path[..i].join(".");
        value = match value {
            Value::Object(map) => find_key(map, part).map_err(|e| match e {
                LookupError::Missing(_) => {
                    LookupError::Missing(Some(format!("`{here}` has no key `{part}`")))
                }
                other => other,
            })?,
            Value::Array(items) => {
                let index: usize = part.parse().map_err(|_| {
                    LookupError::Missing(Some(format!(
                        "`{here}` is a list; index it with a number, e.g. `{here}.0`"
                    )))
                })?;
                items.get(index).ok_or_else(|| {
                    LookupError::Missing(Some(format!(
                        "`{here}` has {} items, so there is no item {index}",
                        items.len()
                    )))
                })?
            }
            other => {
                return Err(LookupError::Missing(Some(format!(
                    "`{here}` is {}, which has no part `{part}`",
                    value_kind(other)
                ))));
            }
        };
    }
    Ok(Cow::Borrowed(value))
}

/// A JSON value's type as messages name it: "null", "a boolean", "a number", "a string",
/// "a list", "an object".
pub fn value_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The text a value renders as: strings as they are, everything else as compact JSON
/// (`3`, `true`, `null`, `["a","b"]`, `{"k":1}`). Environment variables use the same rule.
pub fn value_text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}
