//! The JSON documents every front end shows of runs (`--json`, the HTTP API, MCP): typed, with
//! secrets already hidden. `docs/json.md` describes them field by field.

mod check;
mod event;
mod fact;
mod next_step;
mod node;
mod notification;
mod plan;
mod run_document;
mod run_fields;
mod run_summary;
mod schedule;
pub mod schemas;
mod sop_overview;
mod sops;

pub use check::{CheckDocument, ScheduleDocument, SopCheckDocument, StepCounts};
pub use event::{EventDocument, EventListDocument, EventOutcomeDocument};
pub use fact::{FactDocument, shown_value};
pub use next_step::{NextStepDocument, StepInstructions, WaitingFor, instructions};
pub use node::NodeDocument;
pub use notification::{
    NotificationDocument, NotificationFailure, NotificationGate, NotificationLinks,
    NotificationRun, NotificationSop, NotificationStep,
};
pub use plan::{
    PlanCondition, PlanConditions, PlanDocument, PlannedCommand, PlannedStep, env_names,
};
pub use run_document::{
    DecisionDocument, GateDocument, RunDocument, StepDocument, shown_outputs, shown_tail,
};
pub use run_fields::RunFields;
pub use run_summary::{PrunedRunDocument, RunSummaryDocument};
pub use schedule::{LastFireDocument, ScheduleEntryDocument, SchedulesDocument};
pub use sop_overview::{InUseDocument, SopOverviewDocument, StepSummary};
pub use sops::{
    InvalidSopDocument, SopDocument, SopEntryDocument, SopFiles, SopListDocument,
    SopSummaryDocument,
};

use chrono::{DateTime, Utc};

/// Milliseconds from the start to the finish, or to `now` while the run goes on.
fn duration_ms(
    started: Option<DateTime<Utc>>,
    finished: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<i64> {
    let start = started?;
    Some((finished.unwrap_or(now) - start).num_milliseconds())
}
