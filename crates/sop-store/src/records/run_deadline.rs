//! An active run with a deadline (its `timeout`), as the server's deadline timer sees it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sop_core::run::RunStatus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunDeadline {
    pub id: String,
    pub status: RunStatus,
    pub deadline: DateTime<Utc>,
    /// Who drives the run, if anyone: a live driver times the run out itself.
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
}
