//! Facts: persistent named values, optionally expiring, that conditions can require.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// Stored lower-cased: fact names are case-insensitive, like every name in conditions.
    pub name: String,
    pub value: serde_json::Value,
    pub set_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub set_by: String,
}

impl Fact {
    /// The form under which a fact name is stored and looked up.
    pub fn normalize_name(name: &str) -> String {
        name.to_lowercase()
    }

    /// Still valid at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|e| now < e)
    }
}
