//! How values print (`'critical'`, `85`, `true`, `null`, `['a', 1]`) and serialise (as JSON).

use super::value::Value;
use serde::{Serialize, Serializer};
use std::fmt::{self, Write};

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write_quoted(f, s),
            Value::List(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_char(']')
            }
            Value::Object(map) => {
                f.write_char('{')?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_quoted(f, k)?;
                    write!(f, ": {v}")?;
                }
                f.write_char('}')
            }
        }
    }
}

/// A single-quoted literal as the language reads it back: `'it\'s'`.
fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{{{:x}}}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('\'')
}

impl Value {
    /// The display form cut to about `max` characters, for one-line explanations.
    pub fn display_short(&self, max: usize) -> String {
        let full = self.to_string();
        if full.chars().count() <= max {
            return full;
        }
        let mut cut: String = full.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prints_literals_as_the_language_writes_them() {
        assert_eq!(Value::from("critical").to_string(), "'critical'");
        assert_eq!(Value::from("it's\n").to_string(), r"'it\'s\n'");
        assert_eq!(Value::from(85).to_string(), "85");
        assert_eq!(Value::from(2.5).to_string(), "2.5");
        assert_eq!(Value::Null.to_string(), "null");
        assert_eq!(
            Value::from(json!({"a": [1, "b", true]})).to_string(),
            "{'a': [1, 'b', true]}"
        );
    }

    #[test]
    fn short_display_cuts_long_values() {
        let v = Value::from("x".repeat(100));
        assert_eq!(v.display_short(10).chars().count(), 10);
        assert!(v.display_short(10).ends_with('…'));
        assert_eq!(Value::from(1).display_short(10), "1");
    }

    #[test]
    fn serialises_as_json() {
        let v = Value::from(json!({"a": [1, null]}));
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"a":[1,null]}"#);
    }
}
