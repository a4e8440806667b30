//! The JSON documents every front end shows of runs (`--json`, the HTTP API, MCP): typed, with
//! secrets already hidden. `docs/json.md` describes them field by field.

mod next_document;
mod run_document;
mod run_summary;
mod sop_document;

pub use next_document::{NextDocument, NextStep};
pub use run_document::{
    DecisionDocument, GateDocument, RunDocument, StepDocument, shown_outputs, shown_tail,
};
pub use run_summary::{PrunedRunDocument, RunSummaryDocument};
pub use sop_document::{SopDocument, StepSummary};

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
