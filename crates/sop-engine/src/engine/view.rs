//! Builds the state machine's [`RunView`] from stored records and the run's definition.

use sop_core::definition::{Sop, StepKind};
use sop_core::gate::{GatePlan, GateStatus};
use sop_core::run::{GateState, RunStatus, RunView, StepStatus, StepView, WaitReason};
use sop_store::{Gate, Run, StepRun};

/// The run as the machine sees it. `plan` says which steps are gated; `gates` are the gates
/// opened so far.
pub fn build(
    run: &Run,
    steps: &[StepRun],
    sop: &Sop,
    plan: &GatePlan,
    gates: &[Gate],
    retry_backoff: std::time::Duration,
) -> RunView {
    let gate_state = |step: u32| gate_state(plan, gates, step);
    RunView {
        id: run.id.clone(),
        status: run.status,
        wait_reason: wait_reason(run, steps, sop),
        start_gate: gate_state(0),
        steps: sop
            .steps
            .iter()
            .map(|def| {
                let mut view = StepView::pending(def.number, def.kind);
                if let Some(rec) = steps.iter().find(|s| s.number == def.number) {
                    view.status = rec.status;
                    view.attempts = rec.attempts;
                }
                view.retries = def.options.retries;
                view.continue_on_error = def.options.continue_on_error;
                view.idempotent = def.options.idempotent;
                view.conditional = def.options.condition.is_some();
                view.gate = gate_state(def.number);
                view
            })
            .collect(),
        retry_backoff: chrono::TimeDelta::from_std(retry_backoff)
            .unwrap_or(chrono::TimeDelta::seconds(1)),
        deadline: run.deadline,
        conditions_due: run.conditions_due,
    }
}

/// A planned gate is required until one is opened; the newest gate record for the step decides.
fn gate_state(plan: &GatePlan, gates: &[Gate], step: u32) -> GateState {
    if !plan.is_gated(step) {
        return GateState::None;
    }
    match gates
        .iter()
        .rev()
        .find(|g| g.step == step)
        .map(|g| g.status)
    {
        None => GateState::Required,
        Some(GateStatus::Open) => GateState::Open,
        Some(GateStatus::Approved) => GateState::Approved,
        // A rejected, expired or cancelled gate ended the run; nothing passes it.
        Some(_) => GateState::Open,
    }
}

/// Why a `waiting` run waits: as recorded, else told by the kind of the waiting step.
fn wait_reason(run: &Run, steps: &[StepRun], sop: &Sop) -> Option<WaitReason> {
    if run.status != RunStatus::Waiting {
        return None;
    }
    if let Some(reason) = run.reason.as_deref().and_then(WaitReason::parse) {
        return Some(reason);
    }
    let waiting = steps.iter().find(|s| s.status == StepStatus::Waiting)?;
    let def = sop.steps.iter().find(|d| d.number == waiting.number)?;
    Some(match def.kind {
        StepKind::Manual => WaitReason::ManualStep,
        StepKind::Automated => WaitReason::Interrupted,
    })
}
