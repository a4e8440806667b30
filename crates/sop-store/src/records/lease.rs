//! The outcome of taking a run's lease.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How a lease was obtained. A refused lease is [`crate::StoreError::LeaseHeld`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LeaseGrant {
    /// Nobody held it.
    Acquired,
    /// The caller held it already; its expiry moved on.
    Renewed,
    /// Another owner's lease had lapsed: that process died or stalled mid-run, so the caller
    /// must recover whatever step it left running.
    TookOver {
        previous_owner: String,
        lapsed_at: DateTime<Utc>,
    },
}

impl LeaseGrant {
    pub fn took_over(&self) -> bool {
        matches!(self, LeaseGrant::TookOver { .. })
    }
}
