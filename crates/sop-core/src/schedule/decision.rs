//! What became of one tick of a cron trigger; recorded with the tick and audited.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FireDecision {
    /// A run started on time.
    Fired,
    /// A run started late, for a tick that passed while no server ran (`catch_up`).
    CaughtUp,
    /// No run: the previous run of the trigger was still active (`overlap = "skip"`).
    SkippedOverlap,
    /// Waiting for the previous run of the trigger to end (`overlap = "queue"`).
    Queued,
    /// No run: the tick passed while no server ran (`catch_up = "none"`, or beyond its cap).
    Missed,
}

impl FireDecision {
    pub const ALL: [FireDecision; 5] = [
        FireDecision::Fired,
        FireDecision::CaughtUp,
        FireDecision::SkippedOverlap,
        FireDecision::Queued,
        FireDecision::Missed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FireDecision::Fired => "fired",
            FireDecision::CaughtUp => "caught_up",
            FireDecision::SkippedOverlap => "skipped_overlap",
            FireDecision::Queued => "queued",
            FireDecision::Missed => "missed",
        }
    }

    /// The audit entry kind that records this decision.
    pub fn audit_kind(self) -> &'static str {
        match self {
            FireDecision::Fired => "schedule.fired",
            FireDecision::CaughtUp => "schedule.caught_up",
            FireDecision::SkippedOverlap => "schedule.skipped",
            FireDecision::Queued => "schedule.queued",
            FireDecision::Missed => "schedule.missed",
        }
    }

    /// Whether a run was started for the tick.
    pub fn started_a_run(self) -> bool {
        matches!(self, FireDecision::Fired | FireDecision::CaughtUp)
    }
}

impl fmt::Display for FireDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FireDecision {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FireDecision::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("unknown schedule decision `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_read_back_as_written() {
        for d in FireDecision::ALL {
            assert_eq!(d.as_str().parse::<FireDecision>().unwrap(), d);
        }
        assert!("later".parse::<FireDecision>().is_err());
        assert!(FireDecision::CaughtUp.started_a_run());
        assert!(!FireDecision::Missed.started_a_run());
    }
}
