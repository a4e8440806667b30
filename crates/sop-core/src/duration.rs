//! Human durations as written in SOP files: `"90s"`, `"10m"`, `"24h"`, `"7d"`, `"1h30m"`.

use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A whole number of seconds, written and read in the `90s`/`10m`/`24h`/`7d` form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    secs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration `{input}`: {reason}")]
pub struct DurationError {
    pub input: String,
    pub reason: &'static str,
}

/// The longest duration we accept: 100 years is past any sane timeout and keeps arithmetic safe.
const MAX_SECS: u64 = 100 * 365 * 86_400;

impl Duration {
    pub const fn from_secs(secs: u64) -> Self {
        Duration { secs }
    }

    pub const fn as_secs(self) -> u64 {
        self.secs
    }

    pub fn as_std(self) -> std::time::Duration {
        std::time::Duration::from_secs(self.secs)
    }

    pub fn as_chrono(self) -> chrono::Duration {
        chrono::Duration::seconds(self.secs as i64)
    }
}

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason| DurationError {
            input: input.to_string(),
            reason,
        };
        let s = input.trim();
        if s.is_empty() {
            return Err(err("it is empty; write a number and a unit, e.g. \"10m\""));
        }
        let mut total: u64 = 0;
        let mut rest = s;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits == 0 {
                return Err(err("expected a number before the unit, e.g. \"90s\""));
            }
            let n: u64 = rest[..digits]
                .parse()
                .map_err(|_| err("the number is too large"))?;
            rest = &rest[digits..];
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(rest.len());
            let unit = &rest[..unit_len];
            if unit.starts_with('.') || unit.starts_with(',') {
                return Err(err(
                    "fractions are not accepted; combine whole units instead, e.g. \"1h30m\"",
                ));
            }
            if unit.starts_with(char::is_whitespace) {
                return Err(err(
                    "write the number and its unit without a space, e.g. \"10m\"",
                ));
            }
            let factor = match unit {
                "s" => 1,
                "m" => 60,
                "h" => 3_600,
                "d" => 86_400,
                "w" => 7 * 86_400,
                "" => return Err(err("missing unit; use s, m, h, d or w, e.g. \"90s\"")),
                _ => return Err(err("unknown unit; use s, m, h, d or w, e.g. \"24h\"")),
            };
            rest = &rest[unit_len..];
            total = n
                .checked_mul(factor)
                .and_then(|v| total.checked_add(v))
                .filter(|v| *v <= MAX_SECS)
                .ok_or_else(|| err("it is longer than 100 years"))?;
        }
        Ok(Duration { secs: total })
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.secs;
        if s == 0 {
            return f.write_str("0s");
        }
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
            if s >= size {
                write!(f, "{}{unit}", s / size)?;
                s %= size;
            }
        }
        Ok(())
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Written as text: `90s`, `1h30m`, `7d`.
impl schemars::JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^([0-9]+[dhms])+$",
            "description": "a duration such as 90s, 10m, 1h30m or 7d"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_unit_and_compounds() {
        assert_eq!("90s".parse::<Duration>().unwrap().as_secs(), 90);
        assert_eq!("10m".parse::<Duration>().unwrap().as_secs(), 600);
        assert_eq!("24h".parse::<Duration>().unwrap().as_secs(), 86_400);
        assert_eq!("7d".parse::<Duration>().unwrap().as_secs(), 604_800);
        assert_eq!("1h30m".parse::<Duration>().unwrap().as_secs(), 5_400);
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        for bad in ["", "10", "m", "10x", "-5s", "1.5h", "99999999999999999999s"] {
            assert!(bad.parse::<Duration>().is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn fractions_and_spaces_say_what_to_write_instead() {
        let reason = |s: &str| s.parse::<Duration>().unwrap_err().reason;
        assert!(reason("1.5h").starts_with("fractions are not accepted"));
        assert!(reason("10 m").starts_with("write the number and its unit without a space"));
        assert!(reason("10x").starts_with("unknown unit"));
        assert!(reason("101y").starts_with("unknown unit"));
        assert_eq!(reason("5300w"), "it is longer than 100 years");
    }

    #[test]
    fn displays_in_the_same_form() {
        assert_eq!(Duration::from_secs(5_400).to_string(), "1h30m");
        assert_eq!(Duration::from_secs(86_400).to_string(), "1d");
    }
}
