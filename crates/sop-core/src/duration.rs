//! Human durations, the one grammar of SOP files and settings: `"250ms"`, `"90s"`, `"10m"`,
//! `"24h"`, `"7d"`, `"1h30m"`.

use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A whole number of milliseconds, written and read in the `250ms`/`90s`/`10m`/`24h`/`7d` form.
/// Whether a place accepts less than a second is that place's rule, not the grammar's: SOP
/// files want whole seconds, settings such as `SOP_KILL_GRACE` take milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    millis: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration `{input}`: {reason}")]
pub struct DurationError {
    pub input: String,
    pub reason: &'static str,
}

/// The longest duration we accept: 100 years is past any sane timeout and keeps arithmetic safe.
const MAX_MILLIS: u64 = 100 * 365 * 86_400 * 1_000;

impl Duration {
    /// `secs` seconds, saturating at the largest representable duration.
    pub const fn from_secs(secs: u64) -> Self {
        Duration {
            millis: secs.saturating_mul(1_000),
        }
    }

    pub const fn from_millis(millis: u64) -> Self {
        Duration { millis }
    }

    /// The whole seconds; a fraction of a second is dropped.
    pub const fn as_secs(self) -> u64 {
        self.millis / 1_000
    }

    pub const fn as_millis(self) -> u64 {
        self.millis
    }

    /// True when no fraction of a second is left over, as SOP files require.
    pub const fn is_whole_seconds(self) -> bool {
        self.millis.is_multiple_of(1_000)
    }

    pub fn as_std(self) -> std::time::Duration {
        std::time::Duration::from_millis(self.millis)
    }

    pub fn as_chrono(self) -> chrono::Duration {
        chrono::Duration::milliseconds(self.millis as i64)
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
                let unit_after =
                    rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',');
                return Err(err(if unit_after.starts_with("ms") {
                    "fractions are not accepted; write a whole number of milliseconds, e.g. \"250ms\""
                } else {
                    "fractions are not accepted; combine whole units instead, e.g. \"1h30m\""
                }));
            }
            if unit.starts_with(char::is_whitespace) {
                return Err(err(
                    "write the number and its unit without a space, e.g. \"10m\"",
                ));
            }
            // The reasons name the units SOP files take; `ms` is for settings that need less than
            // a second.
            let factor = match unit {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                "w" => 7 * 86_400_000,
                "" => return Err(err("missing unit; use s, m, h, d or w, e.g. \"90s\"")),
                _ => return Err(err("unknown unit; use s, m, h, d or w, e.g. \"24h\"")),
            };
            rest = &rest[unit_len..];
            total = n
                .checked_mul(factor)
                .and_then(|v| total.checked_add(v))
                .filter(|v| *v <= MAX_MILLIS)
                .ok_or_else(|| err("it is longer than 100 years"))?;
        }
        Ok(Duration { millis: total })
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.millis;
        if s == 0 {
            return f.write_str("0s");
        }
        for (unit, size) in [
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1_000),
            ("ms", 1),
        ] {
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
        let ms = "1s250ms".parse::<Duration>().unwrap();
        assert_eq!(ms.as_millis(), 1_250);
        assert!(!ms.is_whole_seconds());
        assert_eq!(ms.as_std(), std::time::Duration::from_millis(1_250));
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
        assert!(reason("1.5ms").contains("whole number of milliseconds"));
    }

    #[test]
    fn displays_in_the_same_form() {
        assert_eq!(Duration::from_secs(5_400).to_string(), "1h30m");
        assert_eq!(Duration::from_secs(86_400).to_string(), "1d");
        assert_eq!(Duration::from_millis(90_250).to_string(), "1m30s250ms");
    }
}
