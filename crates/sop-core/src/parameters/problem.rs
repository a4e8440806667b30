//! What can be wrong with the variables of a start, per variable, with how to fix it.

use crate::template::value_kind;
use serde_json::Value;
use std::fmt;

/// One variable that does not fit the declarations.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{} (help: {})", self.message(), self.help())]
pub struct ParameterProblem {
    /// The variable's name as declared (or as given, for an undeclared one).
    pub name: String,
    pub kind: ProblemKind,
    /// The variable is secret (declared so, or named so): its value is never shown.
    pub secret: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProblemKind {
    /// A required parameter has no value.
    Missing { example: String },
    /// The value has the wrong JSON type.
    WrongType { expected: &'static str, got: Value },
    /// The value is not one of `enum`.
    NotAllowed { allowed: Vec<Value>, got: Value },
    /// A string does not match the whole `pattern`.
    NoMatch { pattern: String, got: String },
    /// Below `min` (a number's value, a string's length or a list's items).
    TooSmall { what: Measure, min: f64, got: f64 },
    /// Above `max`.
    TooLarge { what: Measure, max: f64, got: f64 },
    /// A manual start passed a variable the SOP does not declare.
    Undeclared {
        suggestion: Option<String>,
        declared: Vec<String>,
    },
}

/// What a bound was compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Value,
    Length,
    Items,
}

impl Measure {
    fn describe(self, n: f64) -> String {
        match self {
            Measure::Value => num(n),
            Measure::Length if n == 1.0 => "1 character".to_string(),
            Measure::Length => format!("{} characters", num(n)),
            Measure::Items if n == 1.0 => "1 item".to_string(),
            Measure::Items => format!("{} items", num(n)),
        }
    }
}

fn num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

impl ParameterProblem {
    /// What is wrong, naming the variable, what was expected and what was given.
    pub fn message(&self) -> String {
        let name = &self.name;
        let shown = |v: &Value| {
            if self.secret {
                crate::secret::REDACTED.to_string()
            } else {
                shown(v)
            }
        };
        match &self.kind {
            ProblemKind::Missing { .. } => format!("variable `{name}` is required"),
            ProblemKind::WrongType { expected, got } => format!(
                "variable `{name}` must be {expected}, got {} {}",
                value_kind(got),
                shown(got)
            ),
            ProblemKind::NotAllowed { allowed, got } => format!(
                "variable `{name}` must be one of {}, got {}",
                allowed.iter().map(shown).collect::<Vec<_>>().join(", "),
                shown(got)
            ),
            ProblemKind::NoMatch { pattern, got } => format!(
                "variable `{name}` must match the pattern `{pattern}` (the whole value), got {}",
                shown(&Value::String(got.clone()))
            ),
            ProblemKind::TooSmall { what, min, got } => format!(
                "variable `{name}` must be at least {}, got {}",
                what.describe(*min),
                what.describe(*got)
            ),
            ProblemKind::TooLarge { what, max, got } => format!(
                "variable `{name}` must be at most {}, got {}",
                what.describe(*max),
                what.describe(*got)
            ),
            ProblemKind::Undeclared { .. } => {
                format!("variable `{name}` is not a parameter of this SOP")
            }
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        let name = &self.name;
        match &self.kind {
            ProblemKind::Missing { example } => {
                // Every front end takes variables as a JSON object; only the CLI names a flag.
                format!(
                    "pass it among the variables, e.g. {{\"{name}\": {example}}} (`--vars` at \
                     the command line)"
                )
            }
            ProblemKind::WrongType { expected, got } => match (expected, got) {
                (_, Value::String(s))
                    if !self.secret
                        && (s.parse::<f64>().is_ok() || s == "true" || s == "false") =>
                {
                    format!("write the value without quotes: {{\"{name}\": {s}}}")
                }
                _ => format!("pass {expected} for `{name}`"),
            },
            ProblemKind::NotAllowed { .. } => "pass one of the listed values".to_string(),
            ProblemKind::NoMatch { .. } => {
                "pass a value the pattern matches from its first to its last character".to_string()
            }
            ProblemKind::TooSmall { .. } | ProblemKind::TooLarge { .. } => {
                "pass a value within the declared `min` and `max`".to_string()
            }
            ProblemKind::Undeclared {
                suggestion: Some(s),
                ..
            } => format!("did you mean `{s}`?"),
            ProblemKind::Undeclared { declared, .. } if declared.is_empty() => {
                "remove it".to_string()
            }
            ProblemKind::Undeclared { declared, .. } => format!(
                "its parameters are {}; remove `{name}` or declare it under [variables.{name}] \
                 in SOP.toml",
                declared
                    .iter()
                    .map(|d| format!("`{d}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Measure::Value => "value",
            Measure::Length => "length",
            Measure::Items => "items",
        })
    }
}
