//! A delivery key seen on a trigger route, and the run its first delivery started.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The key as sent, prefixed by the route it arrived on (`POST /incident\nKEY`).
    pub key: String,
    pub run_id: String,
    pub received_at: DateTime<Utc>,
}
