//! The audit trail's records: what the engine appends and what is stored.

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
    /// Who the entry says acted (`--as`, `SOP_USER`, ...): claimed, not proven.
    pub actor: String,
    /// The operating-system account that wrote the entry; `None` for entries written before sop
    /// recorded it, or when it was unknown.
    #[serde(default)]
    pub os_user: Option<String>,
    /// The host that wrote the entry, like `os_user`.
    #[serde(default)]
    pub host: Option<String>,
    pub kind: String,
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// `bob@host` when the writing account is known and differs from the actor: the actor was
    /// claimed by that account (`sop audit` shows "alice (as claimed by bob@host)").
    pub fn claimed_by(&self) -> Option<String> {
        let os_user = self.os_user.as_deref()?;
        if os_user == self.actor {
            return None;
        }
        Some(match &self.host {
            Some(host) => format!("{os_user}@{host}"),
            None => os_user.to_owned(),
        })
    }
}
