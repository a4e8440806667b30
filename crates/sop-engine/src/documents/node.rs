//! [`NodeDocument`]: one live `sop serve` node sharing the database, as `sop nodes --json` lists
//! it, with the runs it drives now.

use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use sop_store::ServerBeat;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NodeDocument {
    /// `host/pid/nonce`, as the node records its heartbeat.
    pub id: String,
    pub host: String,
    pub pid: u32,
    /// The address the node serves on.
    pub listen: String,
    /// RFC 3339, milliseconds.
    pub started_at: String,
    /// The node's last heartbeat (RFC 3339, milliseconds); nodes beat every 2 seconds.
    pub heartbeat_at: String,
    /// Milliseconds from the last heartbeat to when the list was made.
    pub heartbeat_age_ms: i64,
    /// Ids of the runs whose lease this node holds, oldest first.
    pub runs: Vec<String>,
}

impl NodeDocument {
    pub fn new(beat: &ServerBeat, runs: Vec<String>, now: DateTime<Utc>) -> Self {
        NodeDocument {
            id: beat.id.clone(),
            host: beat.host.clone(),
            pid: beat.pid,
            listen: beat.listen.clone(),
            started_at: millis(beat.started_at),
            heartbeat_at: millis(beat.heartbeat_at),
            heartbeat_age_ms: (now - beat.heartbeat_at).num_milliseconds().max(0),
            runs,
        }
    }

    /// Whether a lease owner (`host/pid/nonce` of one driver) is one of this node's drivers.
    pub fn drives(beat: &ServerBeat, lease_owner: &str) -> bool {
        let mut parts = lease_owner.split('/');
        parts.next() == Some(beat.host.as_str())
            && parts.next() == Some(beat.pid.to_string().as_str())
    }
}

fn millis(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
