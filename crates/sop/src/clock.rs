//! The one place the binary reads the wall clock; `SOP_NOW` pins it for tests and what-ifs.

use chrono::{DateTime, Utc};

/// Source of "now" for everything the binary decides. The core never reads the clock itself.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    fixed: Option<DateTime<Utc>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock { fixed: None }
    }

    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock { fixed: Some(at) }
    }

    /// `SOP_NOW=<RFC 3339>` pins the clock (used by tests to set any instant); otherwise real time.
    pub fn from_env() -> anyhow::Result<Self> {
        match std::env::var("SOP_NOW") {
            Ok(s) if !s.is_empty() => {
                let at = DateTime::parse_from_rfc3339(&s).map_err(|e| {
                    crate::exit::Fail::invalid(format!(
                        "SOP_NOW=`{s}` is not an RFC 3339 time ({e}); use e.g. 2026-01-31T09:30:00Z"
                    ))
                })?;
                Ok(Clock::fixed(at.with_timezone(&Utc)))
            }
            _ => Ok(Clock::system()),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.unwrap_or_else(Utc::now)
    }
}
