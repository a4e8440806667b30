//! Everything that can go wrong in the store, split into what a caller may retry and what it may not.

use chrono::{DateTime, Utc};
use std::path::PathBuf;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A store failure. [`StoreError::is_retryable`] tells whether trying again later can succeed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist.
    #[error("no {what} `{key}`{}", hint_suffix(what))]
    NotFound { what: &'static str, key: String },

    /// A run id prefix matches more than one run.
    #[error(
        "run id prefix `{prefix}` is ambiguous: it matches {}; type more characters",
        candidates.join(", ")
    )]
    AmbiguousPrefix {
        prefix: String,
        candidates: Vec<String>,
    },

    /// A conditional update lost: the row changed since the caller read it. Re-read and decide again.
    #[error("{what} `{id}` changed meanwhile: expected {expected}, found {found}")]
    Conflict {
        what: &'static str,
        id: String,
        expected: String,
        found: String,
    },

    /// A row that must be unique already exists (e.g. a second decision by one approver).
    #[error("{what} `{key}` already exists")]
    AlreadyExists { what: &'static str, key: String },

    /// Another process holds the run's lease and it has not lapsed.
    #[error(
        "run `{run_id}` is being advanced by {owner} (lease valid until {}); wait for it or for the lease to lapse",
        expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )]
    LeaseHeld {
        run_id: String,
        owner: String,
        expires_at: DateTime<Utc>,
    },

    /// The database stayed locked by other writers past the busy timeout. Retryable.
    #[error("the database is busy ({0}); other sop processes are writing, try again")]
    Busy(String),

    /// The database was written by a newer sop.
    #[error(
        "the database {location} has schema version {found}, but this sop understands only up to {supported}; upgrade sop, or point SOP_DATABASE_URL at another database"
    )]
    NewerSchema {
        location: String,
        found: i64,
        supported: i64,
    },

    /// A stored value cannot be read back (edited by hand, or a bug).
    #[error("corrupt data in the database: {0}")]
    Corrupt(String),

    /// `SOP_DATABASE_URL` (or the derived location) cannot be used.
    #[error("invalid database location `{url}`: {reason}")]
    InvalidLocation { url: String, reason: String },

    /// An audit entry dated earlier than the newest entry: the trail never goes back in time
    /// (a clock set back, or a pinned time).
    #[error(
        "refusing to write an audit entry dated {} before the newest entry, dated {}: the audit trail never goes back in time; check the clock",
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        newest.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    )]
    AuditTimeReversed {
        at: DateTime<Utc>,
        newest: DateTime<Utc>,
    },

    /// The audit chain is keyed, and this store was opened without the key.
    #[error(
        "the audit trail is keyed from entry {from_seq} (key id {key_id}); set SOP_AUDIT_KEY_FILE to that key to write to it"
    )]
    AuditKeyRequired { from_seq: u64, key_id: String },

    /// The audit chain is keyed with another key than the one this store was opened with.
    #[error(
        "the audit trail is keyed with key id {expected}, but SOP_AUDIT_KEY_FILE holds key id {given}; use the key the trail was started with"
    )]
    AuditKeyMismatch { expected: String, given: String },

    /// The audit key cannot be used (too short, unreadable).
    #[error("invalid audit key: {0}")]
    InvalidAuditKey(String),

    /// A file-system problem around the database file.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The caller's transaction body gave up; everything it wrote was rolled back.
    #[error("{0}")]
    Aborted(Box<dyn std::error::Error + Send + Sync>),

    /// Any other database failure. Not retryable.
    #[error("database error: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}

fn hint_suffix(what: &str) -> &'static str {
    match what {
        "run" => "; `sop status` lists recent runs",
        "fact" => "; `sop fact list` lists facts",
        _ => "",
    }
}

impl StoreError {
    /// Trying the same operation again later can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Busy(_))
    }

    /// The error is a lost compare-and-set: re-read the current state and decide again.
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }

    /// Aborts a transaction with the caller's own error; get it back with [`StoreError::aborted`].
    pub fn abort(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        StoreError::Aborted(err.into())
    }

    /// The caller's error carried by [`StoreError::Aborted`], if this is one of that type.
    pub fn aborted<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            StoreError::Aborted(inner) => inner.downcast_ref::<E>(),
            _ => None,
        }
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("gate is closed")]
    struct GateClosed;

    #[test]
    fn aborted_errors_come_back_typed() {
        let err = StoreError::abort(GateClosed);
        assert!(err.aborted::<GateClosed>().is_some());
        assert_eq!(err.to_string(), "gate is closed");
        assert!(!err.is_retryable());
    }

    #[test]
    fn messages_say_how_to_go_on() {
        let err = StoreError::NotFound {
            what: "run",
            key: "abc".into(),
        };
        assert_eq!(
            err.to_string(),
            "no run `abc`; `sop status` lists recent runs"
        );
        let err = StoreError::AmbiguousPrefix {
            prefix: "0a".into(),
            candidates: vec!["0a1".into(), "0a2".into()],
        };
        assert_eq!(
            err.to_string(),
            "run id prefix `0a` is ambiguous: it matches 0a1, 0a2; type more characters"
        );
        assert!(StoreError::Busy("locked".into()).is_retryable());
    }
}
