//! How a run is changed and listed: a patch, the compare-and-set condition, and list filters.

use chrono::{DateTime, Utc};
use sop_core::run::RunStatus;

/// Fields to change on a run; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunPatch {
    pub status: Option<RunStatus>,
    pub reason: Option<Option<String>>,
    pub current_step: Option<Option<u32>>,
    pub started_at: Option<Option<DateTime<Utc>>>,
    pub finished_at: Option<Option<DateTime<Utc>>>,
    pub workdir: Option<Option<String>>,
    pub variables: Option<serde_json::Value>,
    pub forced: Option<bool>,
    pub deadline: Option<Option<DateTime<Utc>>>,
    pub conditions_due: Option<bool>,
}

impl RunPatch {
    pub fn status(status: RunStatus) -> Self {
        RunPatch {
            status: Some(status),
            ..RunPatch::default()
        }
    }

    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(Some(reason.into()));
        self
    }

    pub fn with_current_step(mut self, step: u32) -> Self {
        self.current_step = Some(Some(step));
        self
    }

    pub fn with_started_at(mut self, at: DateTime<Utc>) -> Self {
        self.started_at = Some(Some(at));
        self
    }

    pub fn with_finished_at(mut self, at: DateTime<Utc>) -> Self {
        self.finished_at = Some(Some(at));
        self
    }
}

/// The condition a conditional run update checks. An update that finds the run otherwise fails
/// with [`crate::StoreError::Conflict`] and changes nothing, so two processes can never both
/// advance a run from the same state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    /// The run's version must be this one.
    pub version: Option<u64>,
    /// The run's status must be one of these (empty = any).
    pub status_in: Vec<RunStatus>,
}

impl Expect {
    /// The run must be unchanged since it was read at `version`.
    pub fn version(version: u64) -> Self {
        Expect {
            version: Some(version),
            status_in: Vec::new(),
        }
    }

    /// The run must be in one of `statuses`, whatever else changed.
    pub fn status_in(statuses: &[RunStatus]) -> Self {
        Expect {
            version: None,
            status_in: statuses.to_vec(),
        }
    }

    /// The run must not have finished.
    pub fn active() -> Self {
        Self::status_in(
            &RunStatus::ALL
                .into_iter()
                .filter(|s| s.is_active())
                .collect::<Vec<_>>(),
        )
    }

    /// No condition at all: only for writes that are correct whatever happened meanwhile.
    pub fn unconditional() -> Self {
        Expect::default()
    }

    /// Adds a status condition to a version condition.
    pub fn and_status_in(mut self, statuses: &[RunStatus]) -> Self {
        self.status_in = statuses.to_vec();
        self
    }

    /// Whether a run at `version` in `status` satisfies the condition.
    pub fn holds(&self, version: u64, status: RunStatus) -> bool {
        self.version.is_none_or(|v| v == version)
            && (self.status_in.is_empty() || self.status_in.contains(&status))
    }

    pub(crate) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = self.version {
            parts.push(format!("version {v}"));
        }
        if !self.status_in.is_empty() {
            let names: Vec<_> = self.status_in.iter().map(|s| s.as_str()).collect();
            parts.push(format!("status {}", names.join("|")));
        }
        if parts.is_empty() {
            "anything".into()
        } else {
            parts.join(" and ")
        }
    }
}

/// Which runs to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFilter {
    pub sop_name: Option<String>,
    /// Any of these statuses (empty = all).
    pub statuses: Vec<RunStatus>,
    pub limit: u32,
}

impl Default for RunFilter {
    fn default() -> Self {
        RunFilter {
            sop_name: None,
            statuses: Vec::new(),
            limit: 20,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expect_checks_version_and_status() {
        let e = Expect::version(3).and_status_in(&[RunStatus::Running]);
        assert!(e.holds(3, RunStatus::Running));
        assert!(!e.holds(4, RunStatus::Running));
        assert!(!e.holds(3, RunStatus::Paused));
        assert!(Expect::unconditional().holds(9, RunStatus::Failed));
        assert!(Expect::active().holds(0, RunStatus::Waiting));
        assert!(!Expect::active().holds(0, RunStatus::Succeeded));
        assert_eq!(e.describe(), "version 3 and status running");
    }
}
