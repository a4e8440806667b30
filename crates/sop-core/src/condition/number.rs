//! Numbers of the condition language: integers kept exact, everything else as `f64`.

use std::cmp::Ordering;
use std::fmt;

/// A number. Integers that fit `i64` stay exact so ids and counters print and compare as written.
#[derive(Debug, Clone, Copy)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }

    pub fn is_zero(self) -> bool {
        match self {
            Number::Int(i) => i == 0,
            Number::Float(f) => f == 0.0,
        }
    }

    /// Numeric order; `None` only when a float is NaN.
    pub fn compare(self, other: Number) -> Option<Ordering> {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }

    /// The negated number; `i64::MIN` moves to the float form instead of overflowing.
    pub fn negate(self) -> Number {
        match self {
            Number::Int(i) => i
                .checked_neg()
                .map_or(Number::Float(-(i as f64)), Number::Int),
            Number::Float(f) => Number::Float(-f),
        }
    }

    /// Reads text that is plainly a number: optional sign, digits, optional `.digits`, optional
    /// `%`, surrounding blanks ignored. Words such as `inf`, `NaN` or `1e5` are not numbers here,
    /// so only what a webhook would send as `"85"` or `"85%"` converts.
    pub fn parse_text(text: &str) -> Option<Number> {
        let t = text.trim();
        let t = t.strip_suffix('%').unwrap_or(t).trim_end();
        let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
        let (int, frac) = match digits.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (digits, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
            return None;
        }
        Number::from_literal(t)
    }

    /// Converts already validated numeric text (digits with an optional sign and fraction).
    pub(crate) fn from_literal(text: &str) -> Option<Number> {
        if !text.contains('.')
            && let Ok(i) = text.parse::<i64>()
        {
            return Some(Number::Int(i));
        }
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Number::Float)
    }

    pub fn to_json(self) -> serde_json::Value {
        match self {
            Number::Int(i) => serde_json::Value::from(i),
            Number::Float(f) => serde_json::Number::from_f64(f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.compare(*other) == Some(Ordering::Equal)
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::Int(i)
    }
}

impl From<f64> for Number {
    fn from(f: f64) -> Self {
        Number::Float(f)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            // Rust prints integral floats without a fraction (`85`), which is what users wrote.
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_text_accepts_plain_numbers_and_percentages() {
        assert_eq!(Number::parse_text("85"), Some(Number::Int(85)));
        assert_eq!(Number::parse_text(" 85% "), Some(Number::Int(85)));
        assert_eq!(Number::parse_text("-2.5"), Some(Number::Float(-2.5)));
        assert_eq!(Number::parse_text("+7"), Some(Number::Int(7)));
    }

    #[test]
    fn numeric_text_rejects_words_and_exponents() {
        for s in [
            "", "%", "abc", "inf", "NaN", "1e5", "1.", ".5", "--1", "1 2", "0x10",
        ] {
            assert_eq!(Number::parse_text(s), None, "{s:?}");
        }
    }

    #[test]
    fn integers_stay_exact() {
        let big = Number::Int(9_007_199_254_740_993);
        assert_eq!(big.to_string(), "9007199254740993");
        assert_ne!(big, Number::Int(9_007_199_254_740_992));
        assert_eq!(Number::Int(3), Number::Float(3.0));
        assert_eq!(Number::Float(85.0).to_string(), "85");
        assert_eq!(
            Number::Int(i64::MIN).negate().as_f64(),
            9.223372036854776e18
        );
    }
}
