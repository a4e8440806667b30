//! The one place sop reads the wall clock. Test builds (the `test-clock` feature) may pin it
//! with `SOP_NOW`; a release build refuses that setting, so nobody can move the time a gate's
//! deadline or an audit entry is judged by.

use chrono::{DateTime, Utc};

/// Source of "now" for everything the engine decides. The core never reads the clock itself.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    fixed: Option<DateTime<Utc>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock { fixed: None }
    }

    /// A clock that always says `at` (library tests, what-if evaluations).
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock { fixed: Some(at) }
    }

    /// The system clock, or in a test build the instant `SOP_NOW` names.
    pub fn from_settings(s: &crate::Settings) -> crate::Result<Self> {
        Self::with_override(s.var("SOP_NOW"), cfg!(feature = "test-clock"))
    }

    /// The clock `SOP_NOW=text` asks for, where `honoured` says whether this build allows it.
    fn with_override(text: Option<&str>, honoured: bool) -> crate::Result<Self> {
        let Some(text) = text else {
            return Ok(Clock::system());
        };
        if !honoured {
            return Err(crate::Error::invalid(
                "SOP_NOW is honoured only by test builds; unset it (what-if evaluations take an instant of their own)",
            ));
        }
        let at = DateTime::parse_from_rfc3339(text.trim()).map_err(|e| {
            crate::Error::invalid(format!(
                "SOP_NOW=`{text}` is not an RFC 3339 time ({e}); use e.g. 2026-01-31T09:30:00Z"
            ))
        })?;
        Ok(Clock::fixed(at.with_timezone(&Utc)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.unwrap_or_else(Utc::now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn a_release_build_refuses_to_move_the_clock() {
        let e = Clock::with_override(Some("2020-01-01T00:00:00Z"), false).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(e.message.contains("only by test builds"), "{e}");
        assert!(Clock::with_override(None, false).unwrap().fixed.is_none());
    }

    #[test]
    fn a_test_build_pins_the_clock_and_checks_the_instant() {
        let c = Clock::with_override(Some("2020-01-01T00:00:00Z"), true).unwrap();
        assert_eq!(c.now().to_rfc3339(), "2020-01-01T00:00:00+00:00");
        let e = Clock::with_override(Some("yesterday"), true).unwrap_err();
        assert!(e.message.contains("RFC 3339"), "{e}");
    }
}
