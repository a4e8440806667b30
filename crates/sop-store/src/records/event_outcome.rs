//! What became of a received event for one SOP trigger it matched: a run started, the
//! trigger's condition did not hold, a cooldown held it back, or the start was refused.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventOutcome {
    pub event_id: u64,
    pub sop: String,
    /// The trigger's position in the SOP's `[[triggers]]`, from 0.
    pub trigger: u32,
    pub outcome: EventOutcomeKind,
    /// The run started (`started`), or the run whose start began the cooldown (`cooldown`).
    pub run_id: Option<String>,
    /// Why no run started, in words.
    pub reason: Option<String>,
    pub decided_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventOutcomeKind {
    Started,
    Skipped,
    Cooldown,
    Refused,
}

impl EventOutcomeKind {
    pub const ALL: [EventOutcomeKind; 4] = [
        EventOutcomeKind::Started,
        EventOutcomeKind::Skipped,
        EventOutcomeKind::Cooldown,
        EventOutcomeKind::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventOutcomeKind::Started => "started",
            EventOutcomeKind::Skipped => "skipped",
            EventOutcomeKind::Cooldown => "cooldown",
            EventOutcomeKind::Refused => "refused",
        }
    }
}

impl std::str::FromStr for EventOutcomeKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| format!("unknown event outcome `{text}`"))
    }
}
