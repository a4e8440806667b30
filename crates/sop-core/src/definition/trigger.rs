//! What starts an SOP: a person, a cron schedule, a webhook call or a named event.

use super::schedule_policy::{CatchUp, Overlap};
use crate::Duration;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Trigger {
    Manual,
    Cron {
        expression: String,
        /// IANA zone name; `None` = the engine's zone (`SOP_TIMEZONE` or the system's).
        #[serde(skip_serializing_if = "Option::is_none")]
        timezone: Option<String>,
        /// What a tick does while the previous run of this trigger is still active.
        #[serde(skip_serializing_if = "Overlap::is_default", default)]
        overlap: Overlap,
        /// What happens to ticks that passed while no server ran.
        #[serde(skip_serializing_if = "CatchUp::is_default", default)]
        catch_up: CatchUp,
    },
    Webhook {
        path: String,
        /// Name of the environment variable holding the HMAC secret (never the secret itself).
        #[serde(skip_serializing_if = "Option::is_none")]
        secret_env: Option<String>,
    },
    Event {
        /// An event name or a glob such as `deploy.*`.
        event: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        condition: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cooldown: Option<Duration>,
    },
}

impl Trigger {
    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::Manual => "manual",
            Trigger::Cron { .. } => "cron",
            Trigger::Webhook { .. } => "webhook",
            Trigger::Event { .. } => "event",
        }
    }
}

/// The spec's short form used by `sop list`: `manual`, `cron:EXPR`, `webhook:PATH`, `event:NAME`.
impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Manual => f.write_str("manual"),
            Trigger::Cron { expression, .. } => write!(f, "cron:{expression}"),
            Trigger::Webhook { path, .. } => write!(f, "webhook:{path}"),
            Trigger::Event { event, .. } => write!(f, "event:{event}"),
        }
    }
}
