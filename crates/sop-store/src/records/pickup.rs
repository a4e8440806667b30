//! A run a server might have to drive: pending, or holding a lease whose owner may be gone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sop_core::run::RunStatus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickupCandidate {
    pub id: String,
    pub status: RunStatus,
    pub created_at: DateTime<Utc>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
}
