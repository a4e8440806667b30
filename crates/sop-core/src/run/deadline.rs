//! A run's `timeout`: its deadline, the time left until it, and when a process that does not
//! drive the run may apply it.
//!
//! Time comes in as values; the engine reads the clock and the store.

use crate::Duration;
use chrono::{DateTime, TimeDelta, Utc};

/// The deadline of a run whose limit is `limit` and that starts executing at `started`.
pub fn run_deadline(started: DateTime<Utc>, limit: Duration) -> DateTime<Utc> {
    started + limit.as_chrono()
}

/// How long is left until `deadline` at `now`; nothing once it has passed.
pub fn time_left(deadline: DateTime<Utc>, now: DateTime<Utc>) -> std::time::Duration {
    (deadline - now).to_std().unwrap_or_default()
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
    fn the_time_left_runs_down_to_nothing() {
        let deadline = at("2026-01-31T09:30:20Z");
        assert_eq!(
            time_left(deadline, at("2026-01-31T09:30:00Z")),
            Std::from_secs(20)
        );
        assert_eq!(time_left(deadline, deadline), Std::ZERO);
        assert_eq!(time_left(deadline, at("2026-01-31T09:31:00Z")), Std::ZERO);
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
