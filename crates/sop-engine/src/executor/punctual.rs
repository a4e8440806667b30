//! Starting a process at an instant: a cron tick's first step, prepared ahead, starts on the
//! tick rather than a wake-up later.

use std::time::{Duration, Instant};

/// How long before the instant [`wait_until`] stops sleeping and watches the clock instead.
const SPIN: Duration = Duration::from_micros(500);

/// Returns at `at`, later by no more than a few microseconds: sleeps until shortly before it,
/// then watches the clock. An idle CPU of a virtual machine can take a millisecond to wake from
/// a sleep; watching keeps this thread's CPU awake through the instant.
pub fn wait_until(at: Instant) {
    let sleep = at.saturating_duration_since(Instant::now() + SPIN);
    if !sleep.is_zero() {
        std::thread::sleep(sleep);
    }
    while Instant::now() < at {
        std::hint::spin_loop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_at_the_instant_not_before() {
        for ahead in [0, 200, 3_000] {
            let at = Instant::now() + Duration::from_micros(ahead);
            wait_until(at);
            assert!(Instant::now() >= at);
        }
        // An instant already past returns at once.
        wait_until(Instant::now() - Duration::from_millis(5));
    }
}
