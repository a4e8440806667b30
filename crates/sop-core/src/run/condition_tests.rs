//! Tests of step conditions in the run state machine: when a condition is asked for, and what
//! a met or a false condition does.

use super::*;
use crate::definition::StepKind::{Automated as A, Manual as M};
use StepStatus as S;
use chrono::{DateTime, TimeDelta, Utc};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-31T09:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A pending run of `kinds`; the steps in `conditional` have an `if`.
fn run(kinds: &[crate::definition::StepKind], conditional: &[u32]) -> RunView {
    RunView {
        id: "01hzrun".into(),
        status: RunStatus::Pending,
        wait_reason: None,
        steps: kinds
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let mut s = StepView::pending(i as u32 + 1, *k);
                s.conditional = conditional.contains(&s.number);
                s
            })
            .collect(),
        start_gate: GateState::None,
        retry_backoff: TimeDelta::seconds(1),
        deadline: None,
        conditions_due: false,
    }
}

/// Decides `event` and applies it, as the engine does.
fn step(run: &mut RunView, event: RunEvent) -> Decision {
    let d = next(run, event, now()).unwrap_or_else(|e| panic!("{event}: {e}"));
    run.apply(&d);
    d
}

#[test]
fn reaching_a_conditional_step_asks_for_its_condition() {
    let mut r = run(&[A, A], &[2]);
    assert_eq!(
        step(&mut r, RunEvent::Start).action,
        Action::Execute {
            step: 1,
            attempt: 1
        }
    );
    let d = step(&mut r, RunEvent::StepSucceeded { step: 1 });
    assert_eq!(d.action, Action::CheckCondition { step: 2 });
    assert_eq!(d.status, RunStatus::Running);
    assert_eq!(
        r.steps[0].status,
        S::Succeeded,
        "the finish is in the same decision"
    );
    assert_eq!(r.steps[1].status, S::Pending);

    let mut first = run(&[A], &[1]);
    assert_eq!(
        step(&mut first, RunEvent::Start).action,
        Action::CheckCondition { step: 1 }
    );
}

#[test]
fn a_met_condition_starts_the_step() {
    let mut r = run(&[A, M], &[1, 2]);
    step(&mut r, RunEvent::Start);
    let d = step(&mut r, RunEvent::StepConditionMet { step: 1 });
    assert_eq!(
        d.action,
        Action::Execute {
            step: 1,
            attempt: 1
        }
    );
    step(&mut r, RunEvent::StepSucceeded { step: 1 });
    let d = step(&mut r, RunEvent::StepConditionMet { step: 2 });
    assert_eq!(d.action, Action::AwaitManual { step: 2 });
    assert_eq!(r.status, RunStatus::Waiting);
}

#[test]
fn a_false_condition_skips_the_step_and_the_run_goes_on() {
    let mut r = run(&[A, A, A, A], &[2, 3]);
    step(&mut r, RunEvent::Start);
    step(&mut r, RunEvent::StepSucceeded { step: 1 });
    let d = step(&mut r, RunEvent::StepConditionFalse { step: 2 });
    assert_eq!(r.steps[1].status, S::Skipped);
    assert_eq!(d.action, Action::CheckCondition { step: 3 });
    let d = step(&mut r, RunEvent::StepConditionFalse { step: 3 });
    assert_eq!(
        d.action,
        Action::Execute {
            step: 4,
            attempt: 1
        }
    );
    step(&mut r, RunEvent::StepSucceeded { step: 4 });
    assert_eq!(r.status, RunStatus::Succeeded);

    let mut last = run(&[A], &[1]);
    step(&mut last, RunEvent::Start);
    let d = step(&mut last, RunEvent::StepConditionFalse { step: 1 });
    assert_eq!((d.status, d.action), (RunStatus::Succeeded, Action::Stop));
}

#[test]
fn the_condition_is_decided_before_the_steps_gate_opens() {
    let mut r = run(&[A], &[1]);
    r.steps[0].gate = GateState::Required;
    step(&mut r, RunEvent::Start);
    let mut skipped = r.clone();
    let d = step(&mut skipped, RunEvent::StepConditionFalse { step: 1 });
    assert_eq!(d.gate, None, "no gate opens for a skipped step");
    assert_eq!(skipped.status, RunStatus::Succeeded);

    let d = step(&mut r, RunEvent::StepConditionMet { step: 1 });
    assert_eq!(d.action, Action::AwaitGate { step: 1 });
    let d = step(&mut r, RunEvent::GateApproved { step: 1 });
    assert_eq!(
        d.action,
        Action::Execute {
            step: 1,
            attempt: 1
        },
        "an approved gate does not ask for the condition again"
    );
}

#[test]
fn the_start_gate_comes_before_the_first_steps_condition() {
    let mut r = run(&[A], &[1]);
    r.start_gate = GateState::Required;
    assert_eq!(
        step(&mut r, RunEvent::Start).action,
        Action::AwaitGate { step: 0 }
    );
    assert_eq!(
        step(&mut r, RunEvent::GateApproved { step: 0 }).action,
        Action::CheckCondition { step: 1 }
    );
}

#[test]
fn a_pause_before_the_decision_asks_again_on_resume() {
    let mut r = run(&[A], &[1]);
    step(&mut r, RunEvent::Start);
    step(&mut r, RunEvent::Pause);
    let d = step(&mut r, RunEvent::StepConditionMet { step: 1 });
    assert!(d.is_noop(RunStatus::Paused), "{d:?}");
    assert_eq!(r.steps[0].status, S::Pending);
    assert_eq!(
        step(&mut r, RunEvent::Resume).action,
        Action::CheckCondition { step: 1 }
    );
}

#[test]
fn a_step_past_its_condition_is_not_asked_again() {
    let mut r = run(&[A], &[1]);
    r.steps[0].retries = 1;
    step(&mut r, RunEvent::Start);
    step(&mut r, RunEvent::StepConditionMet { step: 1 });
    step(&mut r, RunEvent::Pause);
    let failed = RunEvent::StepFailed {
        step: 1,
        timed_out: false,
    };
    step(&mut r, failed);
    assert_eq!(r.steps[0].status, S::Pending);
    assert_eq!(
        step(&mut r, RunEvent::Resume).action,
        Action::Execute {
            step: 1,
            attempt: 2
        },
        "a retry after a pause is the same execution of the step"
    );
}

#[test]
fn a_condition_report_for_another_step_is_refused() {
    let mut r = run(&[A, A], &[2]);
    step(&mut r, RunEvent::Start);
    let err = next(&r, RunEvent::StepConditionFalse { step: 2 }, now()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "step 2 of run 01hzrun is pending; only the step the run reached can have its condition decided"
    );
}
