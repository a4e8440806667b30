//! [`SchedulesDocument`]: what `sop schedule --json` prints — each cron trigger's next fire
//! times and the last decision the scheduler recorded for it.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SchedulesDocument {
    pub schedules: Vec<ScheduleEntryDocument>,
}

/// One cron trigger of one valid SOP.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScheduleEntryDocument {
    pub sop: String,
    /// The trigger's position among the SOP's `[[triggers]]`, from 1.
    pub trigger: usize,
    pub expression: String,
    /// The zone the expression is read in: the trigger's own, else `SOP_TIMEZONE`, else the
    /// system's.
    pub timezone: String,
    /// `skip`, `queue` or `allow`.
    pub overlap: String,
    /// `none`, `latest` or `all`.
    pub catch_up: String,
    /// The next fire times, RFC 3339 in UTC.
    pub next: Vec<String>,
    /// The same instants as RFC 3339 with the zone's offset: the local wall time.
    pub next_local: Vec<String>,
    /// The latest tick the scheduler decided; `null` before the first.
    pub last: Option<LastFireDocument>,
}

/// The scheduler's decision for one tick.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LastFireDocument {
    /// RFC 3339 in UTC.
    pub scheduled_at: String,
    /// `fired`, `caught_up`, `skipped_overlap`, `queued` or `missed`.
    pub decision: String,
    /// The run the tick started; for a skipped tick, the run that was still active.
    pub run: Option<String>,
    /// The status of that run now.
    pub run_status: Option<String>,
    pub recorded_at: String,
    /// What else was recorded (for `missed`: how many ticks, from when to when).
    pub detail: Value,
}
