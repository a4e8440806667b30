//! How long to wait before an automatic retry: exponential, capped.

use chrono::TimeDelta;

/// No single wait exceeds this, however many retries a step allows.
pub const MAX_BACKOFF: TimeDelta = TimeDelta::minutes(5);

/// The wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed:
/// `base`, then `2 × base`, `4 × base`, ... capped at [`MAX_BACKOFF`].
pub fn backoff(base: TimeDelta, attempt: u32) -> TimeDelta {
    let doublings = attempt.saturating_sub(1).min(30);
    base.checked_mul(1 << doublings)
        .unwrap_or(MAX_BACKOFF)
        .min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_the_base_and_caps() {
        let base = TimeDelta::seconds(1);
        assert_eq!(backoff(base, 1), TimeDelta::seconds(1));
        assert_eq!(backoff(base, 2), TimeDelta::seconds(2));
        assert_eq!(backoff(base, 3), TimeDelta::seconds(4));
        assert_eq!(backoff(base, 12), MAX_BACKOFF);
        assert_eq!(backoff(base, u32::MAX), MAX_BACKOFF);
        assert_eq!(backoff(TimeDelta::zero(), 5), TimeDelta::zero());
    }
}
