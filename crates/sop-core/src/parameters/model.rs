//! The declared parameters of an SOP and their rules.

use regex::Regex;
use serde::{Serialize, Serializer};
use serde_json::Value;

/// The JSON type a parameter's value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    String,
    Number,
    Integer,
    Boolean,
    List,
    Object,
}

impl ParamType {
    pub const NAMES: [&'static str; 6] =
        ["string", "number", "integer", "boolean", "list", "object"];

    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "string" => ParamType::String,
            "number" => ParamType::Number,
            "integer" => ParamType::Integer,
            "boolean" => ParamType::Boolean,
            "list" => ParamType::List,
            "object" => ParamType::Object,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Number => "number",
            ParamType::Integer => "integer",
            ParamType::Boolean => "boolean",
            ParamType::List => "list",
            ParamType::Object => "object",
        }
    }

    /// Whether `value` has this type. An integer is a number without a fractional part
    /// (`3` or `3.0`) that a 64-bit integer holds (`1e20` would reach a command as `1e+20`); a
    /// number is any number.
    pub fn accepts(self, value: &Value) -> bool {
        match (self, value) {
            (ParamType::String, Value::String(_))
            | (ParamType::Number, Value::Number(_))
            | (ParamType::Boolean, Value::Bool(_))
            | (ParamType::List, Value::Array(_))
            | (ParamType::Object, Value::Object(_)) => true,
            (ParamType::Integer, Value::Number(n)) => {
                n.is_i64()
                    || n.is_u64()
                    || n.as_f64()
                        .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.223_372_036_854_776e18)
            }
            _ => false,
        }
    }

    /// What `min`/`max` bound for this type, or `None` when they do not apply.
    pub fn bounded(self) -> Option<Bounded> {
        match self {
            ParamType::Number | ParamType::Integer => Some(Bounded::Value),
            ParamType::String => Some(Bounded::Length),
            ParamType::List => Some(Bounded::Items),
            ParamType::Boolean | ParamType::Object => None,
        }
    }
}

/// What `min` and `max` limit: a number's value, a string's length in characters, or a list's
/// number of items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bounded {
    Value,
    Length,
    Items,
}

/// Inclusive bounds; for strings and lists they are whole, non-negative counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Bounds {
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "whole")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "whole")]
    pub max: Option<f64>,
}

/// `10` rather than `10.0` for a whole bound, as it was most likely written.
fn whole<S: Serializer>(n: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match n {
        Some(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => s.serialize_i64(*n as i64),
        Some(n) => s.serialize_f64(*n),
        None => s.serialize_none(),
    }
}

/// A regular expression that must match a whole string value (it is anchored at both ends).
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    regex: Regex,
}

impl Pattern {
    /// Compiles `source` anchored as `^(?:source)$`.
    pub fn new(source: &str) -> Result<Self, regex::Error> {
        let regex = regex::RegexBuilder::new(&format!("^(?:{source})$"))
            .size_limit(1 << 20)
            .build()?;
        Ok(Pattern {
            source: source.to_string(),
            regex,
        })
    }

    /// The pattern as written in SOP.toml.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The anchored form, as JSON Schema (which searches) needs it.
    pub fn anchored(&self) -> String {
        format!("^(?:{})$", self.source)
    }

    pub fn is_full_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

/// One `[variables.NAME]` table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    #[serde(rename = "enum", skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<Pattern>,
    #[serde(flatten)]
    pub bounds: Bounds,
    pub secret: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Parameter {
    /// A parameter of type `kind` with no other rules.
    pub fn new(name: impl Into<String>, kind: ParamType) -> Self {
        Parameter {
            name: name.into(),
            kind,
            required: false,
            default: None,
            allowed: None,
            pattern: None,
            bounds: Bounds::default(),
            secret: false,
            description: None,
        }
    }
}

/// The declared parameters of one SOP, in SOP.toml order. Empty when it declares none, and then
/// a start's variables are not checked at all.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Parameters {
    list: Vec<Parameter>,
}

impl Parameters {
    pub fn new(list: Vec<Parameter>) -> Self {
        Parameters { list }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Parameter> {
        self.list.iter()
    }

    /// The parameter `name`, matched exactly, else case-insensitively (as templates match).
    pub fn get(&self, name: &str) -> Option<&Parameter> {
        self.list
            .iter()
            .find(|p| p.name == name)
            .or_else(|| self.list.iter().find(|p| p.name.eq_ignore_ascii_case(name)))
    }

    /// The names of the parameters declared `secret = true`.
    pub fn secret_names(&self) -> impl Iterator<Item = &str> {
        self.list
            .iter()
            .filter(|p| p.secret)
            .map(|p| p.name.as_str())
    }
}
