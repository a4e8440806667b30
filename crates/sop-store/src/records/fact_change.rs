//! The audit entries of fact changes: `fact.set`, `fact.unset` and `fact.expired`, with the old
//! and new value unless the caller says the fact is secret.
//!
//! Facts gate runs, so who changed one, when, and from what to what is evidence like a run's
//! transitions. The store writes these entries itself, in the transaction that changes the fact.

use super::{AuditEvent, Fact};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// What stands in for a secret fact's value in its audit entries.
pub const REDACTED: &str = "[redacted]";

/// How a fact's values appear in the audit entries of its changes. The caller decides (sop
/// marks a fact secret by its name), since the store keeps whatever it is given for good.
#[derive(Debug, Clone, Copy)]
pub enum FactValues {
    /// The values as they are.
    Shown,
    /// [`REDACTED`] instead of each value.
    Redacted,
    /// Each value through this function (e.g. one that redacts secret keys inside it).
    Filtered(fn(&Value) -> Value),
}

impl FactValues {
    fn show(self, value: &Value) -> Value {
        match self {
            FactValues::Shown => value.clone(),
            FactValues::Redacted => Value::String(REDACTED.into()),
            FactValues::Filtered(filter) => filter(value),
        }
    }
}

/// `fact.set` by the fact's `set_by`, at its `set_at`; `old` is the value it replaced, if live.
pub fn set_event(old: Option<&Fact>, new: &Fact, values: FactValues) -> AuditEvent {
    AuditEvent::new(
        new.set_at,
        None,
        new.set_by.as_str(),
        "fact.set",
        json!({
            "name": Fact::normalize_name(&new.name),
            "old": old.map(|f| values.show(&f.value)),
            "new": values.show(&new.value),
            "expires_at": new.expires_at,
        }),
    )
}

/// `fact.unset` of a live fact.
pub fn unset_event(old: &Fact, by: &str, at: DateTime<Utc>, values: FactValues) -> AuditEvent {
    AuditEvent::new(
        at,
        None,
        by,
        "fact.unset",
        json!({"name": old.name, "old": values.show(&old.value), "new": null}),
    )
}

/// `fact.expired`, noticed at `at` (a fact expires silently; the store records it when it next
/// touches it). The actor is `sop`: nobody removed it.
pub fn expired_event(old: &Fact, at: DateTime<Utc>, values: FactValues) -> AuditEvent {
    AuditEvent::new(
        at,
        None,
        "sop",
        "fact.expired",
        json!({
            "name": old.name,
            "old": values.show(&old.value),
            "new": null,
            "expired_at": old.expires_at,
        }),
    )
}
