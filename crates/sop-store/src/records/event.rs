//! Events received from outside (for event triggers): a name, a JSON payload, when it arrived.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Assigned by the store, increasing.
    pub id: u64,
    pub name: String,
    /// Where it came from (e.g. a webhook path), if known.
    pub source: Option<String>,
    pub payload: serde_json::Value,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub name: String,
    pub source: Option<String>,
    pub payload: serde_json::Value,
    pub received_at: DateTime<Utc>,
}

/// Which events to list, oldest first (or newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFilter {
    pub name: Option<String>,
    /// Only events with an id greater than this (for polling).
    pub after_id: Option<u64>,
    pub limit: u32,
    /// Newest first (for "what happened lately"); `after_id` still applies.
    pub newest_first: bool,
}

impl Default for EventFilter {
    fn default() -> Self {
        EventFilter {
            name: None,
            after_id: None,
            limit: 100,
            newest_first: false,
        }
    }
}
