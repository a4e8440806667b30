//! [`NextDocument`]: what a run waits for and the step it is at, for a program driving the
//! loop "what next, do it, report it" through the API.

use super::{GateDocument, RunDocument, StepDocument};
use crate::engine::Tracked;
use serde::Serialize;
use sop_core::run::{RunStatus, WaitReason};

#[derive(Debug, Clone, Serialize)]
pub struct NextDocument {
    pub run_id: String,
    pub status: RunStatus,
    pub reason: Option<String>,
    /// `person`, `decision`, `approval`, `resume`, `engine`, or `null` once finished.
    pub waiting_for: Option<&'static str>,
    /// The step the run is at, with its instructions; `null` once finished.
    pub step: Option<NextStep>,
    /// The gate waiting for a decision, if any.
    pub gate: Option<GateDocument>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NextStep {
    #[serde(flatten)]
    pub record: StepDocument,
    pub of: u32,
    /// The step's text as written in SOP.md (placeholders not filled in).
    pub description: String,
    pub checklist: Vec<String>,
}

impl NextDocument {
    pub fn new(t: &Tracked, run: &RunDocument) -> Self {
        let status = t.run.status;
        let number = match status {
            s if s.is_terminal() && s != RunStatus::Failed => None,
            _ => t
                .view
                .waiting_step()
                .or_else(|| t.view.running_step())
                .or_else(|| t.view.stopping_failure())
                .or_else(|| t.view.current_step())
                .map(|s| s.number),
        };
        let waiting_for = match status {
            RunStatus::Waiting if t.view.wait_reason == Some(WaitReason::Interrupted) => {
                Some("decision")
            }
            RunStatus::Waiting => Some("person"),
            RunStatus::Failed => Some("decision"),
            RunStatus::AwaitingApproval => Some("approval"),
            RunStatus::Paused => Some("resume"),
            RunStatus::Pending | RunStatus::Running => Some("engine"),
            _ => None,
        };
        let step = number.and_then(|n| {
            let def = t.step_def(n)?;
            let record = run.steps.iter().find(|s| s.number == n)?.clone();
            Some(NextStep {
                record,
                of: t.step_count() as u32,
                description: def.description.clone(),
                checklist: def.checklist.clone(),
            })
        });
        NextDocument {
            run_id: t.id().to_string(),
            status,
            reason: t.run.reason.clone(),
            waiting_for,
            step,
            gate: run
                .gates
                .iter()
                .find(|g| g.status == sop_store::GateStatus::Open)
                .cloned(),
        }
    }
}
