//! Which step an event applies to, and whether it may: the finishing step, the step a person
//! reports on, the step a `retry` or `skip` decides, the open gate.

use super::refusal::{finished, lookup, require, state_hint, wrong_state, wrong_step};
use super::{
    GateState, RunEvent, RunStatus, RunView, StepStatus, StepView, TransitionError, WaitReason,
};
use crate::gate::gate_label;

/// The step a finishing process reports on. `None`: the run was cancelled (or timed out) under
/// it, so the outcome is recorded but changes nothing.
pub(super) fn finishing_step(
    run: &RunView,
    step: u32,
) -> Result<Option<&StepView>, TransitionError> {
    let s = lookup(run, step)?;
    if run.status.is_terminal() && s.status == StepStatus::Cancelled {
        return Ok(None);
    }
    if run.status.is_terminal() {
        return Err(finished(run));
    }
    if s.status != StepStatus::Running {
        return Err(wrong_step(run, s, "only a running step can finish".into()));
    }
    Ok(Some(s))
}

/// The waiting step a person reports on with `sop done`.
pub(super) fn person_step<'a>(
    run: &'a RunView,
    step: u32,
    event: &RunEvent,
) -> Result<&'a StepView, TransitionError> {
    let s = lookup(run, step)?;
    require(run, &[RunStatus::Waiting], event)?;
    match run.waiting_step() {
        Some(w) if w.number == step => Ok(s),
        Some(w) => Err(wrong_step(
            run,
            s,
            format!("step {} is the one waiting for a person", w.number),
        )),
        None => Err(wrong_state(run, "no step waits for a person".into())),
    }
}

/// The step a person's `retry` or `skip` applies to: the failed step that stopped a failed run,
/// an interrupted step, or (for `skip`) a manual step waiting for a person.
pub(super) fn decision_step<'a>(
    run: &'a RunView,
    step: Option<u32>,
    event: &RunEvent,
) -> Result<&'a StepView, TransitionError> {
    if let Some(n) = step {
        lookup(run, n)?;
    }
    let target = match (run.status, run.wait_reason) {
        (RunStatus::Failed, _) => run.stopping_failure(),
        (RunStatus::Waiting, Some(WaitReason::Interrupted)) => run.waiting_step(),
        (RunStatus::Waiting, Some(WaitReason::ManualStep))
            if matches!(event, RunEvent::Skip { .. }) =>
        {
            run.waiting_step()
        }
        (status, _) if status.is_terminal() => return Err(finished(run)),
        _ => None,
    };
    let Some(target) = target else {
        return Err(wrong_state(run, state_hint(run, event)));
    };
    match step {
        Some(n) if n != target.number => {
            let s = lookup(run, n)?;
            Err(wrong_step(
                run,
                s,
                format!("step {} is the one to {}", target.number, event.name()),
            ))
        }
        _ => Ok(target),
    }
}
/// The step whose `if` condition the engine reports on: the step the run reached, still to be
/// decided. `None`: the run was paused meanwhile, so the report changes nothing (the condition
/// is decided anew when the run resumes).
pub(super) fn condition_step<'a>(
    run: &'a RunView,
    step: u32,
    event: &RunEvent,
) -> Result<Option<&'a StepView>, TransitionError> {
    let s = lookup(run, step)?;
    if run.status == RunStatus::Paused {
        return Ok(None);
    }
    require(run, &[RunStatus::Running], event)?;
    let current = run.current_step().map(|c| c.number);
    if current != Some(step) || !s.condition_due() || run.running_step().is_some() {
        return Err(wrong_step(
            run,
            s,
            "only the step the run reached can have its condition decided".into(),
        ));
    }
    Ok(Some(s))
}

/// Checks that the gate before `step` (0 = before the run starts) is the run's open gate.
pub(super) fn open_gate(
    run: &RunView,
    step: u32,
    event: &RunEvent,
) -> Result<u32, TransitionError> {
    if step != 0 {
        lookup(run, step)?;
    }
    require(run, &[RunStatus::AwaitingApproval], event)?;
    let waiting = |g: GateState| matches!(g, GateState::Open | GateState::Required);
    let open = if waiting(run.start_gate) {
        Some(0)
    } else {
        run.current_step()
            .filter(|c| waiting(c.gate))
            .map(|c| c.number)
    };
    match open {
        Some(n) if n == step => Ok(step),
        Some(n) => Err(wrong_state(
            run,
            format!(
                "its open gate is {}, not {}",
                gate_label(n),
                gate_label(step)
            ),
        )),
        None => Err(wrong_state(run, "no gate is open".into())),
    }
}
