//! The notification outbox: one row per message to send, written in the transaction that
//! changes what it announces, and every attempt to send it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A message waiting to be sent, sent, or given up on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    /// What it announces: `approval`, `reminder`, `failed`, `expired`, `succeeded`, `outcome`,
    /// `test`.
    pub event: String,
    /// The channel as written (`slack:#ops`); a webhook's URL is a secret, so this is never
    /// serialised.
    #[serde(skip_serializing, default)]
    pub channel: String,
    pub run_id: Option<String>,
    pub gate_id: Option<String>,
    /// The message's content as a JSON document (no token, secrets already hidden).
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// Not sent before this instant (reminders, and retries after a failure).
    pub due_at: DateTime<Utc>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Set when the last attempt failed and no more will be made.
    pub failed_at: Option<DateTime<Utc>>,
    /// The chat's handle on the sent message (Slack `channel/ts`, Telegram `chat/message_id`),
    /// to show a gate's outcome on it later.
    pub message_ref: Option<String>,
}

impl Notification {
    /// `pending`, `sent` or `failed`.
    pub fn state(&self) -> &'static str {
        match (self.sent_at, self.failed_at) {
            (Some(_), _) => "sent",
            (None, Some(_)) => "failed",
            (None, None) => "pending",
        }
    }
}

/// What the transaction that announces something puts in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub event: String,
    pub channel: String,
    pub run_id: Option<String>,
    pub gate_id: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// Delivered; the notification is done.
    Sent,
    /// Failed; tried again at `next_at`.
    Retry,
    /// Failed for the last time (or could never succeed).
    GaveUp,
}

impl AttemptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Sent => "sent",
            AttemptOutcome::Retry => "retry",
            AttemptOutcome::GaveUp => "gave_up",
        }
    }
}

impl std::str::FromStr for AttemptOutcome {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sent" => Ok(AttemptOutcome::Sent),
            "retry" => Ok(AttemptOutcome::Retry),
            "gave_up" => Ok(AttemptOutcome::GaveUp),
            other => Err(format!("unknown attempt outcome `{other}`")),
        }
    }
}

/// One attempt to send a notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationAttempt {
    pub notification_id: i64,
    pub at: DateTime<Utc>,
    pub outcome: AttemptOutcome,
    /// What went wrong (never a token or URL).
    pub error: Option<String>,
    /// For [`AttemptOutcome::Sent`]: the chat's handle on the message.
    pub message_ref: Option<String>,
    /// For [`AttemptOutcome::Retry`]: when to try again.
    pub next_at: Option<DateTime<Utc>>,
}

/// How many notifications are in each state (for `/metrics` and `sop status`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationCounts {
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
}
