//! A server process as the store knows it: where it listens and when it last said it lives.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerBeat {
    /// The name it holds run leases under (`host/pid/nonce`).
    pub id: String,
    pub host: String,
    pub pid: u32,
    /// The address it listens on, as it printed it.
    pub listen: String,
    pub started_at: DateTime<Utc>,
    pub heartbeat_at: DateTime<Utc>,
    /// Set when it shut down cleanly.
    pub stopped_at: Option<DateTime<Utc>>,
}
