//! The engine's tunables and the environment variables that set them.

use crate::executor::{self, parse_duration};
use crate::exit::Fail;
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
    pub executor: executor::Settings,
}

impl EngineSettings {
    pub fn from_env() -> anyhow::Result<Self> {
        let mut lease_ttl = DEFAULT_LEASE_TTL;
        if let Ok(v) = std::env::var("SOP_LEASE_TTL")
            && !v.trim().is_empty()
        {
            lease_ttl = parse_duration(&v)
                .map_err(|e| Fail::invalid(format!("invalid SOP_LEASE_TTL: {e:#}")))?;
            if lease_ttl < Duration::from_secs(1) {
                return Err(Fail::invalid(
                    "invalid SOP_LEASE_TTL: a lease must last at least 1s",
                ));
            }
        }
        // A setting that cannot be read is bad input, like any other (exit 2).
        let executor =
            executor::Settings::from_env().map_err(|e| Fail::invalid(format!("{e:#}")))?;
        Ok(EngineSettings {
            lease_ttl,
            executor,
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
