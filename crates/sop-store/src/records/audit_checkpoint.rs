//! A checkpoint: the audit chain's head (sequence, hash, time), kept outside the database so
//! that rewriting, truncating or replacing the trail before it is detected.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One line of a checkpoint file (JSON lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCheckpoint {
    pub seq: u64,
    pub hash: String,
    /// The time of the entry at `seq` (not when the checkpoint was taken).
    pub at: DateTime<Utc>,
}
