//! A signed-in browser of the web console, of which the store keeps only the cookie's hash.

use chrono::{DateTime, Utc};

/// One console session: who signed in, with what scopes and through which API token, and the
/// CSRF token its forms carry. `hash` is the SHA-256 of the cookie, never the cookie itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    pub hash: String,
    pub user: String,
    /// `read`, `run`, `approve`, `admin`.
    pub scopes: Vec<String>,
    /// The API token signed in with; `None` for the configured admin token.
    pub token_id: Option<String>,
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl ConsoleSession {
    /// Not yet expired at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at
    }
}
