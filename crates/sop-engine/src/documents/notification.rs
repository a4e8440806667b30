//! What a notification says, as one typed document: the body of the generic webhook, and what
//! the Slack and Telegram messages are written from. Secrets are hidden before it is built;
//! links (which carry a gate token) are added only when the message is sent.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NotificationDocument {
    /// `approval`, `reminder`, `failed`, `expired`, `succeeded`, `outcome` (a gate was decided)
    /// or `test`.
    pub event: String,
    pub sop: NotificationSop,
    /// `null` for a test message.
    pub run: Option<NotificationRun>,
    /// The gated or failed step; `null` when the event is about the whole run.
    pub step: Option<NotificationStep>,
    /// The gate, for `approval`, `reminder`, `expired` and `outcome`.
    pub gate: Option<NotificationGate>,
    /// For `failed`: how the step ended.
    pub failure: Option<NotificationFailure>,
    /// Where to act: the approval page (with a gate token, for `approval` and `reminder`).
    pub links: NotificationLinks,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NotificationSop {
    pub name: String,
    pub priority: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NotificationRun {
    pub id: String,
    pub status: String,
    pub started_by: String,
    /// The run's variables, secret ones shown as `***`.
    pub variables: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NotificationStep {
    /// 0 for the gate before the run starts.
    pub number: u32,
    pub title: String,
    pub checklist: Vec<String>,
    /// The step's commands as written in SOP.md (secret values hidden).
    pub commands: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NotificationGate {
    pub id: String,
    /// `before step 2`, `before the run`.
    pub label: String,
    pub deadline: Option<DateTime<Utc>>,
    pub approvers: Vec<String>,
    pub min_approvals: u32,
    /// For `outcome`: `approved`, `rejected`, `expired` or `cancelled`.
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NotificationFailure {
    pub step: u32,
    pub title: String,
    pub exit_code: Option<i32>,
    /// The output's last lines, secrets hidden.
    pub output_tail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NotificationLinks {
    /// The one-click approval page; `null` without `SOP_PUBLIC_URL` or when nothing is decided.
    pub approve: Option<String>,
    /// The run in the API.
    pub run: Option<String>,
}
