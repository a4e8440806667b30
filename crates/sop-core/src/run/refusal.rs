//! Refusals: the typed errors of illegal transitions, with the run's real state and a hint at
//! what would work instead.

use super::{RunEvent, RunStatus, RunView, StepView, TransitionError, WaitReason};

pub(super) fn require(
    run: &RunView,
    allowed: &[RunStatus],
    event: &RunEvent,
) -> Result<(), TransitionError> {
    if allowed.contains(&run.status) {
        return Ok(());
    }
    if run.status.is_terminal() {
        return Err(finished(run));
    }
    Err(wrong_state(run, state_hint(run, event)))
}

/// What a person could do instead, given where the run is.
pub(super) fn state_hint(run: &RunView, event: &RunEvent) -> String {
    let id = &run.id;
    match run.status {
        RunStatus::Pending => "it has not started yet".into(),
        RunStatus::Queued => format!(
            "it waits in the queue for a free place (`concurrency`) and starts when a run of its \
             SOP ends; `sop cancel {id}` takes it out"
        ),
        RunStatus::Running if matches!(event, RunEvent::Resume) => "it is not paused".into(),
        RunStatus::Running => match run.running_step() {
            Some(s) => format!("step {} is running; `sop cancel {id}` stops it", s.number),
            None => "it is between steps".into(),
        },
        RunStatus::Paused => format!("`sop resume {id}` goes on"),
        RunStatus::AwaitingApproval => format!("it waits for approval: `sop approve {id}`"),
        RunStatus::Waiting => {
            let n = run.waiting_step().map_or(0, |s| s.number);
            match run.wait_reason {
                Some(WaitReason::Interrupted) => format!(
                    "step {n} was interrupted: `sop retry {id}` runs it again, \
                     `sop skip {id} --step {n} --reason TEXT` goes on without it"
                ),
                _ => format!("step {n} waits for a person: `sop done {id}` completes it"),
            }
        }
        // A failed run with no failed step to stop at ended by its `timeout`.
        RunStatus::Failed if run.stopping_failure().is_none() => {
            "it timed out: no step failed that could be retried or skipped".into()
        }
        _ => format!("`sop status {id}` shows where it is"),
    }
}

pub(super) fn lookup(run: &RunView, step: u32) -> Result<&StepView, TransitionError> {
    run.step(step).ok_or_else(|| TransitionError::NoSuchStep {
        run: run.id.clone(),
        step,
        count: run.steps.len(),
    })
}

pub(super) fn finished(run: &RunView) -> TransitionError {
    TransitionError::Finished {
        run: run.id.clone(),
        status: run.status,
    }
}

pub(super) fn wrong_state(run: &RunView, hint: String) -> TransitionError {
    TransitionError::WrongState {
        run: run.id.clone(),
        status: run.status,
        hint,
    }
}

pub(super) fn wrong_step(run: &RunView, step: &StepView, hint: String) -> TransitionError {
    TransitionError::WrongStep {
        run: run.id.clone(),
        step: step.number,
        status: step.status,
        hint,
    }
}
