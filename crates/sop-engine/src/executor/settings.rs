//! Tunables of step execution, the environment variables that set them, and retry backoff.

use crate::Error;
use chrono::TimeDelta;
use std::time::Duration;

/// The longest wait between two attempts, however many attempts came before: the run
/// machine's [`sop_core::run::MAX_BACKOFF`].
pub const MAX_BACKOFF: Duration =
    Duration::from_secs(sop_core::run::MAX_BACKOFF.num_seconds().unsigned_abs());

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutorSettings {
    /// Between SIGTERM and SIGKILL when a step times out or is cancelled (`SOP_KILL_GRACE`,
    /// default 5s).
    pub kill_grace: Duration,
    /// The wait before the first retry; each further retry waits twice as long, up to
    /// [`MAX_BACKOFF`] (`SOP_RETRY_BACKOFF`, default 1s).
    pub retry_backoff: Duration,
    /// How often [`Observer::should_stop`](super::Observer::should_stop) is asked.
    pub poll_interval: Duration,
}

impl Default for ExecutorSettings {
    fn default() -> Self {
        ExecutorSettings {
            kill_grace: Duration::from_secs(5),
            retry_backoff: Duration::from_secs(1),
            poll_interval: Duration::from_millis(50),
        }
    }
}

impl ExecutorSettings {
    /// The defaults, overridden by `SOP_KILL_GRACE` and `SOP_RETRY_BACKOFF` when set.
    pub fn load(s: &crate::Settings) -> crate::Result<Self> {
        let mut settings = ExecutorSettings::default();
        if let Some(v) = setting_duration(s, "SOP_KILL_GRACE")? {
            settings.kill_grace = v;
        }
        if let Some(v) = setting_duration(s, "SOP_RETRY_BACKOFF")? {
            settings.retry_backoff = v;
        }
        Ok(settings)
    }
}

fn setting_duration(s: &crate::Settings, name: &str) -> crate::Result<Option<Duration>> {
    match s.var(name) {
        None => Ok(None),
        Some(v) => parse_duration(v)
            .map(Some)
            .map_err(|e| crate::Settings::invalid(name, e)),
    }
}

/// A duration setting such as `"250ms"`, `"2s"` or `"1m30s"`, in the grammar SOP files use.
pub fn parse_duration(text: &str) -> crate::Result<Duration> {
    let d: sop_core::Duration = text.parse().map_err(|e| Error::invalid(format!("{e}")))?;
    Ok(d.as_std())
}

/// The wait before attempt `failed + 1`, after attempt `failed` (1-based) failed: the run
/// machine's [`sop_core::run::backoff`], so retries inside a step wait as retries of a run do.
pub fn backoff(base: Duration, failed: u32) -> Duration {
    let base = TimeDelta::from_std(base).unwrap_or(sop_core::run::MAX_BACKOFF);
    sop_core::run::backoff(base, failed)
        .to_std()
        .unwrap_or(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let s = Duration::from_secs(1);
        assert_eq!(backoff(s, 1), s);
        assert_eq!(backoff(s, 2), 2 * s);
        assert_eq!(backoff(s, 4), 8 * s);
        assert_eq!(backoff(s, 40), MAX_BACKOFF);
        assert_eq!(backoff(Duration::ZERO, 3), Duration::ZERO);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("0s").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration(" 2m ").unwrap(), Duration::from_secs(120));
        let e = parse_duration("1.5ms").unwrap_err().to_string();
        assert!(e.contains("whole number of milliseconds"), "{e}");
        assert!(parse_duration("soon").is_err());
    }
}
