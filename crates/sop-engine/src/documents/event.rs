//! [`EventDocument`]: an event as `sop emit --json`, `POST /api/events` and `sop events --json`
//! show it, with what became of it for each event trigger it matched; secret-named data keys
//! `[redacted]`.

use crate::engine::redact;
use crate::ops::EventRecord;
use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;
use sop_core::run::RunStatus;
use sop_store::EventOutcomeKind;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EventDocument {
    /// Assigned by the store, increasing.
    pub id: u64,
    pub event: String,
    /// Where it came from: `cli`, `api`, `mcp:NAME`.
    pub source: Option<String>,
    /// RFC 3339 with milliseconds.
    pub received_at: String,
    /// The event's data; secret-named keys `[redacted]`.
    pub data: Value,
    /// One entry per event trigger the event matched, by SOP name then trigger.
    pub outcomes: Vec<EventOutcomeDocument>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EventOutcomeDocument {
    pub sop: String,
    /// The trigger's position in the SOP's `[[triggers]]`, from 1, as `sop schedule` and
    /// every message number it.
    pub trigger: u32,
    /// `started`: a run was started (see `run_status`); `skipped`: the trigger's condition did
    /// not hold (no run), or the SOP's own conditions did not (`run` is the run recorded
    /// `skipped`, `reason` says so); `cooldown`: the trigger's cooldown held it back (`run`
    /// began the cooldown); `refused`: the start failed (`reason` says why).
    pub outcome: EventOutcomeKind,
    /// The run it started, or the run whose start began the cooldown.
    pub run: Option<String>,
    /// The started run's status when this was read.
    pub run_status: Option<RunStatus>,
    pub reason: Option<String>,
    /// RFC 3339 with milliseconds.
    pub decided_at: String,
}

/// What `sop events --json` prints.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EventListDocument {
    /// Newest first.
    pub events: Vec<EventDocument>,
}

impl EventDocument {
    pub fn new(record: &EventRecord) -> Self {
        let e = &record.event;
        EventDocument {
            id: e.id,
            event: e.name.clone(),
            source: e.source.clone(),
            received_at: rfc3339(e.received_at),
            data: redact::redact(&e.payload),
            outcomes: record
                .outcomes
                .iter()
                .map(|(o, status)| EventOutcomeDocument {
                    sop: o.sop.clone(),
                    trigger: o.trigger + 1,
                    outcome: o.outcome,
                    run: o.run_id.clone(),
                    run_status: *status,
                    reason: o.reason.clone(),
                    decided_at: rfc3339(o.decided_at),
                })
                .collect(),
        }
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
