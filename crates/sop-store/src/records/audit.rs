//! The audit trail's records: what the engine appends, what is stored, what verification finds.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An event to append. `detail` must already be redacted: the store writes it as given, and the
/// audit trail is never pruned, so a secret written here stays for good.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    pub run_id: Option<String>,
    pub actor: String,
    /// e.g. `run.created`, `step.finished`, `gate.approved`.
    pub kind: String,
    pub detail: serde_json::Value,
}

impl AuditEvent {
    pub fn new(
        at: DateTime<Utc>,
        run_id: Option<&str>,
        actor: impl Into<String>,
        kind: impl Into<String>,
        detail: serde_json::Value,
    ) -> Self {
        AuditEvent {
            at,
            run_id: run_id.map(str::to_owned),
            actor: actor.into(),
            kind: kind.into(),
            detail,
        }
    }
}

/// A stored entry, chained to the one before by `prev_hash`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub run_id: Option<String>,
    pub actor: String,
    pub kind: String,
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Entries checked.
    pub entries: u64,
    /// The first problem found, if any; everything before it is intact.
    pub problem: Option<AuditProblem>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
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
    /// The newest entries are gone: the recorded head is beyond the last entry.
    Truncated,
}
