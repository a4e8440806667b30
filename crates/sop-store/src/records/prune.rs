//! What `prune` removed.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PruneReport {
    /// Finished runs whose snapshot, variables, trigger detail and step output were removed.
    pub runs: u64,
    /// Steps whose output and outputs were removed.
    pub steps: u64,
    /// Events received before the cut-off, deleted.
    pub events: u64,
    /// Dead approval tokens (of those runs' gates) deleted.
    pub tokens: u64,
}
