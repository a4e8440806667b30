//! The run state machine: one pure function from (run, event, now) to a decision or an error.
//!
//! Every rule about what may happen to a run lives here, so it can be tested exhaustively
//! without a database, a process or a clock.

use super::backoff::backoff;
use super::refusal::{finished, lookup, require, wrong_state, wrong_step};
use super::target::{condition_step, decision_step, finishing_step, open_gate, person_step};
use super::{
    Action, Decision, GateState, RunEvent, RunStatus, RunView, StepChange, StepStatus, StepView,
    TransitionError, WaitReason,
};
use crate::definition::StepKind;
use chrono::{DateTime, Utc};

/// Decides what `event` does to `run` at `now`. Illegal events are errors naming the run's real
/// state; legal events that change nothing return a decision equal to the current state.
pub fn next(
    run: &RunView,
    event: RunEvent,
    now: DateTime<Utc>,
) -> Result<Decision, TransitionError> {
    match event {
        RunEvent::Start => {
            require(run, &[RunStatus::Pending], &event)?;
            let mut d = advance(run, Vec::new(), false, Cleared::NONE);
            d.conditions_checked = run.conditions_due;
            Ok(d)
        }
        RunEvent::ConditionsUnmet => {
            require(run, &[RunStatus::Pending], &event)?;
            let steps = run
                .steps
                .iter()
                .filter(|s| s.status == StepStatus::Pending)
                .map(|s| change(s.number, StepStatus::Skipped))
                .collect();
            let mut d = decision(RunStatus::Skipped, steps, Action::Stop);
            d.conditions_checked = run.conditions_due;
            Ok(d)
        }
        RunEvent::Dequeue => {
            require(run, &[RunStatus::Queued], &event)?;
            Ok(decision(RunStatus::Pending, Vec::new(), Action::Stop))
        }
        RunEvent::StepStarted { step } => step_started(run, step),
        RunEvent::StepSucceeded { step } => {
            let Some(s) = finishing_step(run, step)? else {
                return Ok(unchanged(run, Action::Stop));
            };
            let changes = vec![change(s.number, StepStatus::Succeeded)];
            Ok(advance(
                run,
                changes,
                run.status == RunStatus::Paused,
                Cleared::NONE,
            ))
        }
        RunEvent::StepFailed { step, .. } => {
            let Some(s) = finishing_step(run, step)? else {
                return Ok(unchanged(run, Action::Stop));
            };
            Ok(step_failed(run, s, now))
        }
        RunEvent::DoneByPerson { step } => {
            let s = person_step(run, step, &event)?;
            let changes = vec![change(s.number, StepStatus::Succeeded)];
            Ok(advance(run, changes, false, Cleared::NONE))
        }
        RunEvent::FailedByPerson { step } => {
            let s = person_step(run, step, &event)?;
            Ok(give_up_or_fail(run, s))
        }
        RunEvent::Pause => {
            require(run, &[RunStatus::Pending, RunStatus::Running], &event)?;
            if run.conditions_due {
                // Paused, it would later resume past the conditions it is to be checked on.
                return Err(wrong_state(run, queued_hint(run)));
            }
            let action = if run.running_step().is_some() {
                Action::Continue
            } else {
                Action::Stop
            };
            Ok(decision(RunStatus::Paused, Vec::new(), action))
        }
        RunEvent::Resume => {
            require(run, &[RunStatus::Paused, RunStatus::Pending], &event)?;
            if run.conditions_due {
                // It waited in the queue: its conditions decide again, as `Start` or
                // `ConditionsUnmet`, before anything of it runs.
                return Err(wrong_state(run, queued_hint(run)));
            }
            if run.running_step().is_some() {
                return Ok(decision(RunStatus::Running, Vec::new(), Action::Continue));
            }
            Ok(advance(run, Vec::new(), false, Cleared::NONE))
        }
        RunEvent::Cancel => {
            if run.status.is_terminal() {
                return Err(finished(run));
            }
            Ok(stop_now(run, RunStatus::Cancelled))
        }
        RunEvent::TimedOut => {
            if run.status.is_terminal() {
                return Err(finished(run));
            }
            if run.status == RunStatus::Queued {
                return Err(wrong_state(
                    run,
                    "it has not started; time in the queue does not count towards its timeout"
                        .into(),
                ));
            }
            if !run.past_deadline(now) {
                return Err(TransitionError::NotDue {
                    run: run.id.clone(),
                    status: run.status,
                    deadline: run.deadline.map_or_else(
                        || "it has no timeout".into(),
                        |d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    ),
                });
            }
            Ok(stop_now(run, RunStatus::Failed))
        }
        RunEvent::Retry { step } => {
            let target = decision_step(run, step, &event)?;
            Ok(start_step(Vec::new(), target))
        }
        RunEvent::Skip { step } => {
            let target = decision_step(run, Some(step), &event)?;
            let changes = vec![change(target.number, StepStatus::Skipped)];
            Ok(advance(run, changes, false, Cleared::NONE))
        }
        RunEvent::LeaseLapsed => lease_lapsed(run),
        RunEvent::GateApproved { step } => {
            let gate = open_gate(run, step, &event)?;
            Ok(advance(run, Vec::new(), false, Cleared::gate(gate)))
        }
        RunEvent::GateRejected { step } => {
            open_gate(run, step, &event)?;
            Ok(decision(RunStatus::Rejected, Vec::new(), Action::Stop))
        }
        RunEvent::GateExpired { step, cancel } => {
            open_gate(run, step, &event)?;
            let status = if cancel {
                RunStatus::Cancelled
            } else {
                RunStatus::Expired
            };
            Ok(decision(status, Vec::new(), Action::Stop))
        }
        RunEvent::StepConditionMet { step } => match condition_step(run, step, &event)? {
            None => Ok(unchanged(run, Action::Stop)),
            Some(s) => Ok(advance(
                run,
                Vec::new(),
                false,
                Cleared::condition(s.number),
            )),
        },
        RunEvent::StepConditionFalse { step } => match condition_step(run, step, &event)? {
            None => Ok(unchanged(run, Action::Stop)),
            Some(s) => {
                let changes = vec![change(s.number, StepStatus::Skipped)];
                Ok(advance(run, changes, false, Cleared::NONE))
            }
        },
    }
}

/// Why a run that waited in the queue neither pauses nor plainly resumes.
fn queued_hint(run: &RunView) -> String {
    format!(
        "it waited in the queue, so its conditions are checked again when it starts \
         (`sop resume {}` does that); `sop cancel {}` takes it out",
        run.id, run.id
    )
}

/// What the event being decided got the next step past: the gate it approved, or the step
/// condition it found met.
#[derive(Clone, Copy)]
struct Cleared {
    gate: Option<u32>,
    condition: Option<u32>,
}

impl Cleared {
    const NONE: Cleared = Cleared {
        gate: None,
        condition: None,
    };

    fn gate(step: u32) -> Cleared {
        Cleared {
            gate: Some(step),
            ..Cleared::NONE
        }
    }

    fn condition(step: u32) -> Cleared {
        Cleared {
            condition: Some(step),
            ..Cleared::NONE
        }
    }
}

/// Moves on to the first unfinished step, given the step changes decided so far.
/// `paused` stops before that step; `cleared` is what this very event got it past.
///
/// Before a step starts: the run's start gate, then the step's `if` condition (decided before
/// its gate opens, so nobody is asked to approve a step that will be skipped), then its gate.
fn advance(run: &RunView, changes: Vec<StepChange>, paused: bool, cleared: Cleared) -> Decision {
    let cleared_gate = cleared.gate;
    let effective = |s: &StepView| {
        changes
            .iter()
            .rev()
            .find(|c| c.step == s.number)
            .map_or(s.status, |c| c.status)
    };
    let Some(next) = run.steps.iter().find(|s| !effective(s).is_finished()) else {
        return decision(RunStatus::Succeeded, changes, Action::Stop);
    };
    match effective(next) {
        StepStatus::Running => {
            let status = if paused {
                RunStatus::Paused
            } else {
                RunStatus::Running
            };
            return decision(status, changes, Action::Continue);
        }
        StepStatus::Waiting => {
            let reason = match next.kind {
                StepKind::Manual => WaitReason::ManualStep,
                StepKind::Automated => WaitReason::Interrupted,
            };
            let mut d = decision(RunStatus::Waiting, changes, Action::Stop);
            d.wait_reason = Some(reason);
            return d;
        }
        _ => {}
    }
    if paused {
        return decision(RunStatus::Paused, changes, Action::Stop);
    }
    let passed = |number: u32, gate: GateState| {
        matches!(gate, GateState::None | GateState::Approved) || cleared_gate == Some(number)
    };
    for (number, gate) in [(0, run.start_gate), (next.number, next.gate)] {
        if number == next.number && next.condition_due() && cleared.condition != Some(next.number) {
            let action = Action::CheckCondition { step: next.number };
            return decision(RunStatus::Running, changes, action);
        }
        if !passed(number, gate) {
            let action = Action::AwaitGate { step: number };
            let mut d = decision(RunStatus::AwaitingApproval, changes, action);
            d.gate = Some((number, GateState::Open));
            return d;
        }
    }
    let mut d = start_step(changes, next);
    d.gate = cleared_gate.map(|number| (number, GateState::Approved));
    d
}

/// Starts `step`: an automated step gets a new attempt, a manual one waits for a person.
fn start_step(mut changes: Vec<StepChange>, step: &StepView) -> Decision {
    match step.kind {
        StepKind::Manual => {
            changes.push(change(step.number, StepStatus::Waiting));
            let mut d = decision(
                RunStatus::Waiting,
                changes,
                Action::AwaitManual { step: step.number },
            );
            d.wait_reason = Some(WaitReason::ManualStep);
            d
        }
        StepKind::Automated => {
            let attempt = step.attempts + 1;
            changes.push(StepChange {
                step: step.number,
                status: StepStatus::Running,
                attempt: Some(attempt),
            });
            let action = Action::Execute {
                step: step.number,
                attempt,
            };
            decision(RunStatus::Running, changes, action)
        }
    }
}

/// An attempt failed: retry after a backoff while attempts remain, else fail the step.
fn step_failed(run: &RunView, step: &StepView, now: DateTime<Utc>) -> Decision {
    if step.attempts <= step.retries {
        let changes = vec![change(step.number, StepStatus::Pending)];
        if run.status == RunStatus::Paused {
            return decision(RunStatus::Paused, changes, Action::Stop);
        }
        let action = Action::Backoff {
            step: step.number,
            attempt: step.attempts + 1,
            until: now + backoff(run.retry_backoff, step.attempts),
        };
        return decision(RunStatus::Running, changes, action);
    }
    give_up_or_fail(run, step)
}

/// The step failed for good: the run goes on past it when `continue_on_error`, else fails.
fn give_up_or_fail(run: &RunView, step: &StepView) -> Decision {
    let changes = vec![change(step.number, StepStatus::Failed)];
    if step.continue_on_error {
        return advance(run, changes, run.status == RunStatus::Paused, Cleared::NONE);
    }
    decision(RunStatus::Failed, changes, Action::Stop)
}

fn step_started(run: &RunView, step: u32) -> Result<Decision, TransitionError> {
    let s = lookup(run, step)?;
    match run.status {
        RunStatus::Paused => return Ok(unchanged(run, Action::Stop)),
        RunStatus::Running => {}
        status if status.is_terminal() => return Err(finished(run)),
        _ => return Err(wrong_state(run, "no step is due to start".into())),
    }
    let current = run.current_step().map(|c| c.number);
    if s.condition_due() {
        return Err(wrong_step(
            run,
            s,
            "its condition is decided before it starts".into(),
        ));
    }
    if s.status != StepStatus::Pending || s.kind != StepKind::Automated || current != Some(step) {
        return Err(wrong_step(
            run,
            s,
            "only the next pending automated step can start".into(),
        ));
    }
    Ok(start_step(Vec::new(), s))
}
fn lease_lapsed(run: &RunView) -> Result<Decision, TransitionError> {
    if run.status.is_terminal() {
        return Err(finished(run));
    }
    let in_flight = matches!(run.status, RunStatus::Running | RunStatus::Paused);
    let Some(s) = run.running_step().filter(|_| in_flight) else {
        if run.status == RunStatus::Running {
            // Between steps or in a retry's backoff: nothing was in flight, pick it up again.
            return Ok(decision(RunStatus::Pending, Vec::new(), Action::Stop));
        }
        return Ok(unchanged(run, Action::Stop));
    };
    if s.idempotent {
        let status = if run.status == RunStatus::Paused {
            RunStatus::Paused
        } else {
            RunStatus::Pending
        };
        let changes = vec![change(s.number, StepStatus::Pending)];
        return Ok(decision(status, changes, Action::Stop));
    }
    let changes = vec![change(s.number, StepStatus::Waiting)];
    let mut d = decision(RunStatus::Waiting, changes, Action::Stop);
    d.wait_reason = Some(WaitReason::Interrupted);
    Ok(d)
}
/// Ends the run in `status` at once (cancel, timeout): a running step is stopped (its process
/// group killed) and a step waiting for a person is cancelled, so a gate or a manual step
/// waits no longer.
fn stop_now(run: &RunView, status: RunStatus) -> Decision {
    let mut steps = Vec::new();
    let mut action = Action::Stop;
    for s in &run.steps {
        match s.status {
            StepStatus::Running => {
                steps.push(change(s.number, StepStatus::Cancelled));
                action = Action::Kill { step: s.number };
            }
            StepStatus::Waiting => steps.push(change(s.number, StepStatus::Cancelled)),
            _ => {}
        }
    }
    decision(status, steps, action)
}

fn change(step: u32, status: StepStatus) -> StepChange {
    StepChange {
        step,
        status,
        attempt: None,
    }
}

fn decision(status: RunStatus, steps: Vec<StepChange>, action: Action) -> Decision {
    Decision {
        status,
        wait_reason: None,
        steps,
        gate: None,
        action,
        conditions_checked: false,
    }
}

fn unchanged(run: &RunView, action: Action) -> Decision {
    Decision {
        status: run.status,
        wait_reason: run.wait_reason,
        steps: Vec::new(),
        gate: None,
        action,
        conditions_checked: false,
    }
}
