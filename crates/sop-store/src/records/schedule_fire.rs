//! One tick of a cron trigger and what the scheduler decided for it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sop_core::schedule::FireDecision;

/// Unique by (`sop_name`, `trigger_key`, `scheduled_at`): the fire key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleFire {
    pub sop_name: String,
    /// The trigger, by its expression and zone (`0 2 * * * Europe/Berlin`).
    pub trigger_key: String,
    pub scheduled_at: DateTime<Utc>,
    #[serde(serialize_with = "decision_text")]
    pub decision: FireDecision,
    /// The run the tick started; for a skipped tick, the run that was still active.
    pub run_id: Option<String>,
    pub recorded_at: DateTime<Utc>,
    /// What else the decision records (missed ticks counted, the zone's wall time).
    pub detail: Value,
}

/// Which decisions to list; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct ScheduleFireFilter {
    pub sop_name: Option<String>,
    pub trigger_key: Option<String>,
    pub decision: Option<FireDecision>,
    pub limit: u32,
}

fn decision_text<S: serde::Serializer>(d: &FireDecision, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(d.as_str())
}
