//! Per-person API tokens for the server, of which the store keeps only SHA-256 hashes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A stored API token: who it acts for, what it may do, and its life. The token itself is never
/// stored; `hash` is never shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    /// The public handle (`sop token list`, `sop token revoke ID`).
    pub id: String,
    #[serde(skip_serializing)]
    pub hash: String,
    /// The actor of every request made with it.
    pub user: String,
    /// `read`, `run`, `approve`, `admin`.
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Neither revoked nor expired at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }
}

/// What creating a token records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub id: String,
    pub hash: String,
    pub user: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
}
