//! [`CheckDocument`]: what `sop check --json` reports — every SOP's problems, its steps and next
//! schedules, and the problems of calendar files and settings that also fail the check.

use schemars::JsonSchema;
use serde::Serialize;
use sop_core::Diagnostic;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckDocument {
    pub dir: String,
    /// Every SOP, calendar file and setting is valid.
    pub valid: bool,
    pub checked: usize,
    pub invalid: usize,
    /// Problems in the SOPs, all together.
    pub problems: usize,
    pub sops: Vec<SopCheckDocument>,
    /// Problems in `oncall.toml` and `maintenance.toml`.
    pub calendars: Vec<Diagnostic>,
    /// Problems in settings, each naming the setting.
    pub settings: Vec<String>,
    /// Environment variables that look like a misspelt setting; they do not fail the check.
    pub warnings: Vec<String>,
}

/// What the check found for one SOP.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SopCheckDocument {
    pub name: String,
    pub valid: bool,
    /// Absent for an invalid SOP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<StepCounts>,
    /// The next fire time of each cron trigger.
    pub schedules: Vec<ScheduleDocument>,
    pub errors: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StepCounts {
    pub total: usize,
    pub automated: usize,
    pub manual: usize,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScheduleDocument {
    pub expression: String,
    /// The zone the expression is read in: the trigger's own, else the engine's.
    pub timezone: String,
    /// RFC 3339 in `timezone`; `null` if the schedule never fires again.
    pub next: Option<String>,
}
