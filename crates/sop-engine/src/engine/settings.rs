//! The engine's tunables: how long a lease lasts, how steps are executed, and how long before
//! a gate's deadline its reminder is due.

use crate::Settings;
use crate::executor::{ExecutorSettings, parse_duration};
use std::time::Duration;

/// How long a lease lasts unless renewed (`SOP_LEASE_TTL`).
const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(30);

/// The step timeout when neither the step nor the SOP sets one.
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(3600);

/// How long before a gate's deadline its reminder is due (`SOP_APPROVAL_REMINDER`).
pub const DEFAULT_APPROVAL_REMINDER: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy)]
pub struct EngineSettings {
    /// A gate's reminder is due this long before its deadline.
    pub approval_reminder: Duration,
    /// A lease is renewed when a third of this has passed, so a live process never loses it.
    pub lease_ttl: Duration,
    /// Step execution: kill grace period, retry backoff, poll interval.
    pub executor: ExecutorSettings,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            approval_reminder: DEFAULT_APPROVAL_REMINDER,
            lease_ttl: DEFAULT_LEASE_TTL,
            executor: ExecutorSettings::default(),
        }
    }
}

impl EngineSettings {
    /// `SOP_LEASE_TTL`, `SOP_KILL_GRACE`, `SOP_RETRY_BACKOFF` and `SOP_APPROVAL_REMINDER` over
    /// the defaults. A setting that cannot be read is bad input, like any other.
    pub fn load(s: &Settings) -> crate::Result<Self> {
        let mut lease_ttl = DEFAULT_LEASE_TTL;
        if let Some(v) = s.var("SOP_LEASE_TTL") {
            lease_ttl = parse_duration(v).map_err(|e| Settings::invalid("SOP_LEASE_TTL", e))?;
            if lease_ttl < Duration::from_secs(1) {
                return Err(Settings::invalid(
                    "SOP_LEASE_TTL",
                    "a lease must last at least 1s",
                ));
            }
        }
        let approval_reminder = match s.var("SOP_APPROVAL_REMINDER") {
            Some(v) => {
                parse_duration(v).map_err(|e| Settings::invalid("SOP_APPROVAL_REMINDER", e))?
            }
            None => DEFAULT_APPROVAL_REMINDER,
        };
        Ok(EngineSettings {
            approval_reminder,
            lease_ttl,
            executor: ExecutorSettings::load(s)?,
        })
    }

    pub fn lease_ttl(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::from_std(self.lease_ttl).unwrap_or(chrono::TimeDelta::seconds(30))
    }

    /// Renew once this much of the lease has passed.
    pub fn renew_after(&self) -> Duration {
        self.lease_ttl / 3
    }
}

/// When a gate opened at `opened` with deadline `deadline` should be reminded of, `lead`
/// before the deadline; `None` when that is not after its opening (the opening itself is the
/// notice).
pub fn reminder_due(
    opened: chrono::DateTime<chrono::Utc>,
    deadline: chrono::DateTime<chrono::Utc>,
    lead: Duration,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let at = deadline - chrono::TimeDelta::from_std(lead).ok()?;
    (at > opened).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn a_reminder_is_due_its_lead_before_the_deadline_and_never_at_or_before_the_opening() {
        let open = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        let hour = Duration::from_secs(3600);
        let day = open + chrono::TimeDelta::hours(24);
        assert_eq!(
            reminder_due(open, day, hour),
            Some(open + chrono::TimeDelta::hours(23))
        );
        assert_eq!(
            reminder_due(open, open + chrono::TimeDelta::hours(1), hour),
            None
        );
        assert_eq!(
            reminder_due(open, open + chrono::TimeDelta::minutes(30), hour),
            None
        );
    }
}
