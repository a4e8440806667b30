//! [`FactDocument`]: one fact as `sop fact list --json` lists it, a secret-named fact or key
//! `[redacted]`.

use crate::engine::redact;
use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use sop_store::Fact;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FactDocument {
    pub name: String,
    /// Any JSON value; `[redacted]` for a secret-named fact, and secret-named keys inside it.
    pub value: Value,
    /// RFC 3339, seconds.
    pub set_at: String,
    pub expires_at: Option<String>,
    pub set_by: String,
}

impl FactDocument {
    pub fn new(fact: &Fact) -> Self {
        FactDocument {
            name: fact.name.clone(),
            value: shown_value(fact),
            set_at: rfc3339(fact.set_at),
            expires_at: fact.expires_at.map(rfc3339),
            set_by: fact.set_by.clone(),
        }
    }
}

/// The value as listings show it: a fact whose name marks it secret (`db_password`), or a
/// secret-named key inside it, shows `[redacted]`; `sop fact get NAME` still reads it whole.
pub fn shown_value(fact: &Fact) -> Value {
    if redact::is_secret_name(&fact.name) {
        Value::String(redact::REDACTED.into())
    } else {
        redact::redact(&fact.value)
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
