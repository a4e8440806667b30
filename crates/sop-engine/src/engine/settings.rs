//! The engine's tunables: how long a lease lasts and how steps are executed.

use crate::Settings;
use crate::executor::{ExecutorSettings, parse_duration};
use std::time::Duration;

/// How long a lease lasts unless renewed (`SOP_LEASE_TTL`).
const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(30);

/// The step timeout when neither the step nor the SOP sets one.
pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy)]
pub struct EngineSettings {
    /// A lease is renewed when a third of this has passed, so a live process never loses it.
    pub lease_ttl: Duration,
    /// Step execution: kill grace period, retry backoff, poll interval.
    pub executor: ExecutorSettings,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            lease_ttl: DEFAULT_LEASE_TTL,
            executor: ExecutorSettings::default(),
        }
    }
}

impl EngineSettings {
    /// `SOP_LEASE_TTL`, `SOP_KILL_GRACE` and `SOP_RETRY_BACKOFF` over the defaults. A setting
    /// that cannot be read is bad input, like any other.
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
        Ok(EngineSettings {
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
