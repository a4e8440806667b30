//! A run's `timeout`: when its deadline is fixed, how long an attempt may take under it, and
//! when a process that does not drive the run may apply it.
//!
//! Time comes in as values; the engine reads the clock and the store.

use crate::Duration;
use chrono::{DateTime, TimeDelta, Utc};

/// The deadline of a run whose limit is `limit` and that starts executing at `started`.
pub fn run_deadline(started: DateTime<Utc>, limit: Duration) -> DateTime<Utc> {
    started + limit.as_chrono()
}

/// How long one attempt of a step may take: its own timeout, cut short by the run's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimit {
    pub timeout: std::time::Duration,
    /// The run's deadline, not the step's timeout, sets the limit: when the attempt overruns,
    /// the run has timed out.
    pub by_run: bool,
}

/// The limit of an attempt starting at `now` with timeout `step_timeout`, in a run whose
/// deadline (if it has one) is `deadline`. Past the deadline the limit is zero.
pub fn attempt_limit(
    step_timeout: std::time::Duration,
    deadline: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AttemptLimit {
    let Some(deadline) = deadline else {
        return AttemptLimit {
            timeout: step_timeout,
            by_run: false,
        };
    };
    let left = (deadline - now).to_std().unwrap_or_default();
    if left <= step_timeout {
        AttemptLimit {
            timeout: left,
            by_run: true,
        }
    } else {
        AttemptLimit {
            timeout: step_timeout,
            by_run: false,
        }
    }
}

/// Whether a process that does not drive the run applies its deadline at `now`. A run driven
/// by a live process (`driven`) is that process's to time out, since it stops the step itself;
/// only when the deadline is `grace` past does another process step in, as `sop cancel` would.
pub fn due_for_bystander(
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
    driven: bool,
    grace: TimeDelta,
) -> bool {
    if driven {
        now >= deadline + grace
    } else {
        now >= deadline
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration as Std;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_deadline_is_the_start_plus_the_limit() {
        let d = run_deadline(at("2026-01-31T09:30:00Z"), Duration::from_secs(7200));
        assert_eq!(d, at("2026-01-31T11:30:00Z"));
    }

    #[test]
    fn an_attempt_gets_the_sooner_of_its_timeout_and_the_run_deadline() {
        let now = at("2026-01-31T09:30:00Z");
        let free = attempt_limit(Std::from_secs(60), None, now);
        assert_eq!((free.timeout, free.by_run), (Std::from_secs(60), false));
        let later = attempt_limit(Std::from_secs(60), Some(at("2026-01-31T10:00:00Z")), now);
        assert_eq!((later.timeout, later.by_run), (Std::from_secs(60), false));
        let sooner = attempt_limit(Std::from_secs(60), Some(at("2026-01-31T09:30:20Z")), now);
        assert_eq!((sooner.timeout, sooner.by_run), (Std::from_secs(20), true));
    }

    #[test]
    fn past_the_deadline_an_attempt_gets_no_time() {
        let now = at("2026-01-31T09:30:00Z");
        let l = attempt_limit(Std::from_secs(60), Some(at("2026-01-31T09:29:00Z")), now);
        assert_eq!((l.timeout, l.by_run), (Std::ZERO, true));
    }

    #[test]
    fn a_bystander_waits_out_the_grace_only_for_a_driven_run() {
        let deadline = at("2026-01-31T09:30:00Z");
        let grace = TimeDelta::seconds(10);
        let just_after = at("2026-01-31T09:30:01Z");
        assert!(!due_for_bystander(
            deadline,
            at("2026-01-31T09:29:59Z"),
            false,
            grace
        ));
        assert!(due_for_bystander(deadline, deadline, false, grace));
        assert!(!due_for_bystander(deadline, just_after, true, grace));
        assert!(due_for_bystander(
            deadline,
            at("2026-01-31T09:30:10Z"),
            true,
            grace
        ));
    }
}
