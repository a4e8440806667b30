//! What the state machine needs to know about a run: its status and each step's progress.

use super::{RunStatus, StepStatus};
use crate::definition::StepKind;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a run in the `waiting` state waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// A manual step waits for `sop done`.
    ManualStep,
    /// A step that is not idempotent was running when its process died; a person decides
    /// (`sop retry` or `sop skip`).
    Interrupted,
}

impl WaitReason {
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::ManualStep => "manual_step",
            WaitReason::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<WaitReason> {
        match s {
            "manual_step" => Some(WaitReason::ManualStep),
            "interrupted" => Some(WaitReason::Interrupted),
            _ => None,
        }
    }
}

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether an approval gate stands before a step (or, as step 0, before the run), and where it
/// is.
///
/// The engine fills this in from the resolved execution mode and the run's gate records; the
/// machine only asks "may this step start?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateState {
    /// No approval is needed before this step.
    #[default]
    None,
    /// An approval is needed and no gate has been opened yet.
    Required,
    /// The gate is open and waits for decisions.
    Open,
    /// The gate was approved: the step may start.
    Approved,
}

/// One step as the machine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepView {
    /// 1-based, as in the SOP.
    pub number: u32,
    pub kind: StepKind,
    pub status: StepStatus,
    /// Attempts started so far, across automatic retries and a person's `retry`.
    pub attempts: u32,
    /// Automatic retries allowed after the first attempt.
    pub retries: u32,
    pub continue_on_error: bool,
    /// Safe to run again when its process died mid-way.
    pub idempotent: bool,
    pub gate: GateState,
    /// Has an `if` condition, decided when the run reaches the step.
    pub conditional: bool,
}

impl StepView {
    /// A fresh step that has not run yet.
    pub fn pending(number: u32, kind: StepKind) -> Self {
        StepView {
            number,
            kind,
            status: StepStatus::Pending,
            attempts: 0,
            retries: 0,
            continue_on_error: false,
            idempotent: false,
            gate: GateState::None,
            conditional: false,
        }
    }

    /// Whether the step's `if` condition is still to be decided. It is decided once, when the
    /// run reaches the step and before its gate opens: a step that has started an attempt, or
    /// whose gate was opened, got past it, so a pause, a retry's backoff or a gate's approval
    /// never asks again.
    pub fn condition_due(&self) -> bool {
        self.conditional
            && self.status == StepStatus::Pending
            && self.attempts == 0
            && matches!(self.gate, GateState::None | GateState::Required)
    }
}

/// A run as the machine sees it. `steps[i]` is step `i + 1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunView {
    pub id: String,
    pub status: RunStatus,
    /// Set exactly when `status` is `waiting`.
    pub wait_reason: Option<WaitReason>,
    pub steps: Vec<StepView>,
    /// The gate before the run starts (gate "step 0", the supervised gate).
    pub start_gate: GateState,
    /// Delay before the first automatic retry; each later retry waits twice as long.
    pub retry_backoff: chrono::TimeDelta,
    /// When the run's `timeout` passes; set when the run starts executing.
    pub deadline: Option<chrono::DateTime<chrono::Utc>>,
    /// The run waited in the queue and its conditions have not been evaluated again since:
    /// it starts only through `Start` or `ConditionsUnmet`, never a plain `Resume`.
    pub conditions_due: bool,
}

impl RunView {
    pub fn step(&self, number: u32) -> Option<&StepView> {
        let index = usize::try_from(number).ok()?.checked_sub(1)?;
        self.steps.get(index)
    }

    /// The step currently executing, if any.
    pub fn running_step(&self) -> Option<&StepView> {
        self.steps.iter().find(|s| s.status == StepStatus::Running)
    }

    /// The step waiting for a person (manual or interrupted), if any.
    pub fn waiting_step(&self) -> Option<&StepView> {
        self.steps.iter().find(|s| s.status == StepStatus::Waiting)
    }

    /// The step whose failure stopped a failed run: a failed step with only pending steps after.
    pub fn stopping_failure(&self) -> Option<&StepView> {
        let last = self
            .steps
            .iter()
            .rposition(|s| s.status != StepStatus::Pending)?;
        let step = &self.steps[last];
        (step.status == StepStatus::Failed).then_some(step)
    }

    /// Whether the run's deadline has passed at `now` (never for a run without one).
    pub fn past_deadline(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.deadline.is_some_and(|d| now >= d)
    }

    /// The step the run is at: running, waiting, or the first one not finished yet.
    pub fn current_step(&self) -> Option<&StepView> {
        self.running_step()
            .or_else(|| self.waiting_step())
            .or_else(|| self.steps.iter().find(|s| !s.status.is_finished()))
    }
}

impl RunView {
    /// The view once `decision` is stored: what a reload from the store would give.
    pub fn apply(&mut self, decision: &super::Decision) {
        self.status = decision.status;
        self.wait_reason = decision.wait_reason;
        if decision.conditions_checked {
            self.conditions_due = false;
        }
        for c in &decision.steps {
            if let Some(step) = self.step_mut(c.step) {
                step.status = c.status;
                if let Some(attempt) = c.attempt {
                    step.attempts = attempt;
                }
            }
        }
        match decision.gate {
            Some((0, gate)) => self.start_gate = gate,
            Some((number, gate)) => {
                if let Some(step) = self.step_mut(number) {
                    step.gate = gate;
                }
            }
            None => {}
        }
    }

    fn step_mut(&mut self, number: u32) -> Option<&mut StepView> {
        let index = usize::try_from(number).ok()?.checked_sub(1)?;
        self.steps.get_mut(index)
    }
}
