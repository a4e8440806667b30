//! The events an SOP can announce (`notify_on`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a notification announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotifyEvent {
    /// A gate opened and waits for a decision.
    Approval,
    /// The gate's deadline is near and nobody decided yet.
    Reminder,
    /// The run failed.
    Failed,
    /// The gate's deadline passed without a decision.
    Expired,
    /// The run succeeded.
    Succeeded,
}

/// What an SOP announces when it sets no `notify_on`: everything but success.
pub const DEFAULT_EVENTS: &[NotifyEvent] = &[
    NotifyEvent::Approval,
    NotifyEvent::Reminder,
    NotifyEvent::Failed,
    NotifyEvent::Expired,
];

impl NotifyEvent {
    pub const ALL: [NotifyEvent; 5] = [
        NotifyEvent::Approval,
        NotifyEvent::Reminder,
        NotifyEvent::Failed,
        NotifyEvent::Expired,
        NotifyEvent::Succeeded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotifyEvent::Approval => "approval",
            NotifyEvent::Reminder => "reminder",
            NotifyEvent::Failed => "failed",
            NotifyEvent::Expired => "expired",
            NotifyEvent::Succeeded => "succeeded",
        }
    }
}

impl fmt::Display for NotifyEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NotifyEvent {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        NotifyEvent::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or(())
    }
}
