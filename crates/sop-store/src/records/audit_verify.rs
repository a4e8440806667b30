//! What verifying the audit trail found.

use serde::{Deserialize, Serialize};

/// The result of checking the whole chain (and, for backends that have one, the storage's own
/// consistency check).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Entries checked.
    pub entries: u64,
    /// The first problem found, if any; everything before it is intact.
    pub problem: Option<AuditProblem>,
    /// Entries from this sequence number on are keyed (HMAC); `None` when the chain is unkeyed.
    #[serde(default)]
    pub keyed_from: Option<u64>,
    /// Keyed entries whose content could not be checked because no key was given. Their order
    /// and links were checked; an edit of their content would go unnoticed.
    #[serde(default)]
    pub unchecked: u64,
    /// Checkpoints compared with the trail.
    #[serde(default)]
    pub checkpoints: u64,
    /// What the storage's own consistency check reported (SQLite's `integrity_check`); empty
    /// when it found nothing wrong.
    #[serde(default)]
    pub storage: Vec<String>,
}

impl VerifyReport {
    /// No problem in the chain and none in the storage.
    pub fn is_ok(&self) -> bool {
        self.problem.is_none() && self.storage.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditProblem {
    /// The first entry that does not check out.
    pub seq: u64,
    pub kind: AuditProblemKind,
    /// A sentence for people.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditProblemKind {
    /// The entry's content does not match its hash.
    Edited,
    /// Entries before this one are missing.
    Missing,
    /// The entry does not link to the one before it (moved, replaced or re-chained).
    BrokenLink,
    /// The newest entries are gone: the recorded head or a checkpoint is beyond the last entry.
    Truncated,
    /// The entry is dated earlier than the one before it.
    TimeReversed,
    /// The chain is keyed from an earlier entry, but this one is not: written without the key.
    Unkeyed,
    /// The entry differs from a checkpoint taken of it: the trail up to here was rewritten.
    CheckpointMismatch,
    /// The key given is not the one the chain was keyed with.
    WrongKey,
}
