//! Tunables of step execution, the environment variables that set them, and retry backoff.

use anyhow::{Context as _, bail};
use std::time::Duration;

/// The longest wait between two attempts, however many attempts came before.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Between SIGTERM and SIGKILL when a step times out or is cancelled (`SOP_KILL_GRACE`,
    /// default 5s).
    pub kill_grace: Duration,
    /// The wait before the first retry; each further retry waits twice as long, up to
    /// [`MAX_BACKOFF`] (`SOP_RETRY_BACKOFF`, default 1s).
    pub retry_backoff: Duration,
    /// How often [`Observer::should_stop`](super::Observer::should_stop) is asked.
    pub poll_interval: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            kill_grace: Duration::from_secs(5),
            retry_backoff: Duration::from_secs(1),
            poll_interval: Duration::from_millis(50),
        }
    }
}

impl Settings {
    /// The defaults, overridden by `SOP_KILL_GRACE` and `SOP_RETRY_BACKOFF` when set.
    pub fn from_env() -> anyhow::Result<Self> {
        let mut settings = Settings::default();
        if let Some(v) = env_duration("SOP_KILL_GRACE")? {
            settings.kill_grace = v;
        }
        if let Some(v) = env_duration("SOP_RETRY_BACKOFF")? {
            settings.retry_backoff = v;
        }
        Ok(settings)
    }
}

fn env_duration(name: &str) -> anyhow::Result<Option<Duration>> {
    match std::env::var(name) {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => parse_duration(&v)
            .map(Some)
            .with_context(|| format!("invalid {name}")),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(e) => Err(e).with_context(|| format!("invalid {name}")),
    }
}

/// `"250ms"`, or any duration SOP files accept (`"0s"`, `"2s"`, `"1m30s"`).
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    if let Some(ms) = text.strip_suffix("ms") {
        return match ms.parse::<u64>() {
            Ok(ms) => Ok(Duration::from_millis(ms)),
            Err(_) => bail!("`{text}` is not a whole number of milliseconds, e.g. \"250ms\""),
        };
    }
    let d: sop_core::Duration = text.parse()?;
    Ok(d.as_std())
}

/// The wait before attempt `failed + 1`, after attempt `failed` (1-based) failed:
/// `base`, `2 × base`, `4 × base`, … capped at [`MAX_BACKOFF`].
pub fn backoff(base: Duration, failed: u32) -> Duration {
    let factor = 1u32 << failed.saturating_sub(1).min(20);
    base.saturating_mul(factor).min(MAX_BACKOFF)
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
