//! Exhaustive and property tests of the run state machine.

use super::*;
use crate::definition::StepKind;
use crate::definition::StepKind::{Automated as A, Manual as M};
use StepStatus as S;
use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use std::collections::BTreeSet;

const ID: &str = "01hzrun";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-31T09:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn view(status: RunStatus, steps: &[(StepKind, StepStatus)]) -> RunView {
    RunView {
        id: ID.into(),
        status,
        wait_reason: None,
        steps: steps
            .iter()
            .enumerate()
            .map(|(i, (kind, st))| {
                let mut s = StepView::pending(i as u32 + 1, *kind);
                s.status = *st;
                if *st != S::Pending {
                    s.attempts = 1;
                }
                s
            })
            .collect(),
        start_gate: GateState::None,
        retry_backoff: TimeDelta::seconds(1),
        // Passed: every active run may time out; `a_run_times_out_only_past_its_deadline`
        // covers the rest.
        deadline: Some(now() - TimeDelta::seconds(1)),
        conditions_due: false,
    }
}

fn with_reason(mut v: RunView, reason: WaitReason) -> RunView {
    v.wait_reason = Some(reason);
    v
}

fn with_gate(mut v: RunView, step: usize, gate: GateState) -> RunView {
    v.steps[step - 1].gate = gate;
    v
}

fn conditional(mut v: RunView, step: usize) -> RunView {
    v.steps[step - 1].conditional = true;
    v
}

/// One representative run per state, the step events should name, and the events legal there.
fn dequeued(mut v: RunView) -> RunView {
    v.conditions_due = true;
    v
}

fn cases() -> Vec<(&'static str, RunView, u32, &'static [&'static str])> {
    use RunStatus::*;
    vec![
        (
            "queued",
            view(Queued, &[(A, S::Pending), (M, S::Pending)]),
            1,
            &["dequeue", "cancel", "lease_lapsed"],
        ),
        (
            "pending after the queue",
            dequeued(view(Pending, &[(A, S::Pending), (M, S::Pending)])),
            1,
            &["start", "conditions_unmet", "cancel", "lease_lapsed"],
        ),
        (
            "pending",
            view(
                Pending,
                &[(A, S::Pending), (M, S::Pending), (A, S::Pending)],
            ),
            1,
            &[
                "start",
                "conditions_unmet",
                "pause",
                "resume",
                "cancel",
                "lease_lapsed",
            ],
        ),
        (
            "awaiting_approval",
            with_gate(
                view(AwaitingApproval, &[(A, S::Pending), (A, S::Pending)]),
                1,
                GateState::Open,
            ),
            1,
            &[
                "cancel",
                "lease_lapsed",
                "gate_approved",
                "gate_rejected",
                "gate_expired",
            ],
        ),
        (
            "running",
            view(
                Running,
                &[(A, S::Running), (A, S::Pending), (A, S::Pending)],
            ),
            1,
            &[
                "step_succeeded",
                "step_failed",
                "step_timed_out",
                "pause",
                "cancel",
                "lease_lapsed",
            ],
        ),
        (
            "running, at a step whose condition is due",
            conditional(
                view(
                    Running,
                    &[(A, S::Succeeded), (A, S::Pending), (A, S::Pending)],
                ),
                2,
            ),
            2,
            &[
                "pause",
                "cancel",
                "lease_lapsed",
                "condition_met",
                "condition_false",
            ],
        ),
        (
            "waiting for a manual step",
            with_reason(
                view(
                    Waiting,
                    &[(A, S::Succeeded), (M, S::Waiting), (A, S::Pending)],
                ),
                WaitReason::ManualStep,
            ),
            2,
            &["done", "done_failed", "cancel", "skip", "lease_lapsed"],
        ),
        (
            "waiting after an interruption",
            with_reason(
                view(
                    Waiting,
                    &[(A, S::Succeeded), (A, S::Waiting), (A, S::Pending)],
                ),
                WaitReason::Interrupted,
            ),
            2,
            &[
                "done",
                "done_failed",
                "cancel",
                "retry",
                "skip",
                "lease_lapsed",
            ],
        ),
        (
            "paused between steps",
            view(
                Paused,
                &[(A, S::Succeeded), (A, S::Pending), (A, S::Pending)],
            ),
            2,
            &[
                "step_started",
                "resume",
                "cancel",
                "lease_lapsed",
                "condition_met",
                "condition_false",
            ],
        ),
        (
            "paused while a step runs",
            view(
                Paused,
                &[(A, S::Succeeded), (A, S::Running), (A, S::Pending)],
            ),
            2,
            &[
                "step_started",
                "step_succeeded",
                "step_failed",
                "step_timed_out",
                "resume",
                "cancel",
                "lease_lapsed",
                "condition_met",
                "condition_false",
            ],
        ),
        (
            "succeeded",
            view(Succeeded, &[(A, S::Succeeded), (A, S::Succeeded)]),
            2,
            &[],
        ),
        (
            "failed",
            view(
                Failed,
                &[(A, S::Succeeded), (A, S::Failed), (A, S::Pending)],
            ),
            2,
            &["retry", "skip"],
        ),
        (
            "cancelled",
            view(
                Cancelled,
                &[(A, S::Succeeded), (A, S::Cancelled), (A, S::Pending)],
            ),
            2,
            &["step_succeeded", "step_failed", "step_timed_out"],
        ),
        (
            "rejected",
            with_gate(view(Rejected, &[(A, S::Pending)]), 1, GateState::Open),
            1,
            &[],
        ),
        (
            "expired",
            with_gate(view(Expired, &[(A, S::Pending)]), 1, GateState::Open),
            1,
            &[],
        ),
        (
            "skipped",
            view(Skipped, &[(A, S::Skipped), (A, S::Skipped)]),
            1,
            &[],
        ),
    ]
}

/// The event kind with its step field pointed at `step`.
fn aim(event: RunEvent, step: u32) -> RunEvent {
    match event {
        RunEvent::StepStarted { .. } => RunEvent::StepStarted { step },
        RunEvent::StepSucceeded { .. } => RunEvent::StepSucceeded { step },
        RunEvent::StepFailed { timed_out, .. } => RunEvent::StepFailed { step, timed_out },
        RunEvent::DoneByPerson { .. } => RunEvent::DoneByPerson { step },
        RunEvent::FailedByPerson { .. } => RunEvent::FailedByPerson { step },
        RunEvent::Skip { .. } => RunEvent::Skip { step },
        RunEvent::GateApproved { .. } => RunEvent::GateApproved { step },
        RunEvent::GateRejected { .. } => RunEvent::GateRejected { step },
        RunEvent::GateExpired { cancel, .. } => RunEvent::GateExpired { step, cancel },
        RunEvent::StepConditionMet { .. } => RunEvent::StepConditionMet { step },
        RunEvent::StepConditionFalse { .. } => RunEvent::StepConditionFalse { step },
        other => other,
    }
}

/// Properties every decision must have, whatever the event.
fn check_decision(before: &RunView, d: &Decision) {
    let mut after = before.clone();
    after.apply(d);
    assert_eq!(
        after.wait_reason.is_some(),
        after.status == RunStatus::Waiting,
        "wait reason must be set exactly when waiting: {d:?}"
    );
    let active = after
        .steps
        .iter()
        .filter(|s| matches!(s.status, S::Running | S::Waiting))
        .count();
    assert!(active <= 1, "more than one active step after {d:?}");
    for (b, a) in before.steps.iter().zip(&after.steps) {
        if b.status == S::Succeeded {
            assert_eq!(a.status, S::Succeeded, "a succeeded step changed: {d:?}");
        }
    }
    match d.action {
        Action::Execute { step, attempt } => {
            let s = after.step(step).unwrap();
            assert_eq!((s.status, s.attempts), (S::Running, attempt), "{d:?}");
            assert_eq!(after.status, RunStatus::Running);
        }
        Action::AwaitManual { step } => {
            assert_eq!(after.step(step).unwrap().status, S::Waiting);
            assert_eq!(after.wait_reason, Some(WaitReason::ManualStep));
        }
        Action::AwaitGate { step } => {
            assert_eq!(after.status, RunStatus::AwaitingApproval);
            let gate = match step {
                0 => after.start_gate,
                n => after.step(n).unwrap().gate,
            };
            assert_eq!(gate, GateState::Open);
        }
        Action::Kill { step } => {
            assert!(
                matches!(after.status, RunStatus::Cancelled | RunStatus::Failed),
                "{d:?}"
            );
            assert_eq!(before.step(step).unwrap().status, S::Running);
        }
        Action::CheckCondition { step } => {
            assert_eq!(after.status, RunStatus::Running, "{d:?}");
            let s = after.step(step).unwrap();
            assert!(s.condition_due(), "{d:?}");
            assert_eq!(after.current_step().map(|c| c.number), Some(step));
            assert!(after.running_step().is_none(), "{d:?}");
        }
        Action::Backoff { until, .. } => assert!(until >= now()),
        Action::Continue => assert!(after.running_step().is_some(), "{d:?}"),
        Action::Stop => {}
    }
    if after.status.is_terminal() {
        assert!(
            matches!(d.action, Action::Stop | Action::Kill { .. }),
            "a finished run asks for work: {d:?}"
        );
    }
}

#[test]
fn every_state_and_event_pair_is_decided() {
    let covered: BTreeSet<_> = cases().iter().map(|c| c.1.status.as_str()).collect();
    let all: BTreeSet<_> = RunStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(covered, all, "every run state needs a case");

    for (name, run, step, legal) in cases() {
        for kind in RunEvent::KINDS {
            let event = aim(kind, step);
            let result = next(&run, event, now());
            // A run past its deadline may time out whatever it is doing, until it finishes.
            let expected = legal.contains(&event.name())
                || (event == RunEvent::TimedOut && run.status.is_active());
            match result {
                Ok(d) => {
                    assert!(expected, "{name} + {event} should be refused, got {d:?}");
                    check_decision(&run, &d);
                }
                Err(e) => {
                    assert!(!expected, "{name} + {event} should be legal, got `{e}`");
                    let msg = e.to_string();
                    assert!(msg.contains(ID), "{name} + {event}: `{msg}` names no run");
                    let real = run.status.as_str();
                    let step_state = run.step(step).unwrap().status.as_str();
                    assert!(
                        msg.contains(real) || msg.contains(step_state),
                        "{name} + {event}: `{msg}` hides the real state"
                    );
                    assert!(
                        !msg.ends_with("; "),
                        "{name} + {event}: empty hint in `{msg}`"
                    );
                }
            }
        }
    }
}

#[test]
fn finished_runs_say_so() {
    let run = view(RunStatus::Succeeded, &[(A, S::Succeeded)]);
    let err = next(&run, RunEvent::Cancel, now()).unwrap_err();
    assert_eq!(err.to_string(), "run 01hzrun is already succeeded");
}

#[test]
fn finishing_a_step_starts_the_next_in_the_same_decision() {
    let run = view(RunStatus::Pending, &[(A, S::Pending), (A, S::Pending)]);
    let d = next(&run, RunEvent::Start, now()).unwrap();
    assert_eq!(
        d.action,
        Action::Execute {
            step: 1,
            attempt: 1
        }
    );
    let mut run = run;
    run.apply(&d);
    let d = next(&run, RunEvent::StepSucceeded { step: 1 }, now()).unwrap();
    assert_eq!(d.status, RunStatus::Running);
    assert_eq!(d.steps.len(), 2);
    assert_eq!(d.steps[0].status, S::Succeeded);
    assert_eq!((d.steps[1].step, d.steps[1].status), (2, S::Running));
    assert_eq!(
        d.action,
        Action::Execute {
            step: 2,
            attempt: 1
        }
    );
    run.apply(&d);
    let d = next(&run, RunEvent::StepSucceeded { step: 2 }, now()).unwrap();
    assert_eq!((d.status, d.action), (RunStatus::Succeeded, Action::Stop));
}

#[test]
fn failed_attempts_back_off_exponentially_then_fail_the_run() {
    let mut run = view(RunStatus::Running, &[(A, S::Running), (A, S::Pending)]);
    run.steps[0].retries = 2;
    let fail = RunEvent::StepFailed {
        step: 1,
        timed_out: false,
    };
    let d = next(&run, fail, now()).unwrap();
    let until = now() + TimeDelta::seconds(1);
    assert_eq!(
        d.action,
        Action::Backoff {
            step: 1,
            attempt: 2,
            until
        }
    );
    run.apply(&d);
    let d = next(&run, RunEvent::StepStarted { step: 1 }, now()).unwrap();
    assert_eq!(
        d.action,
        Action::Execute {
            step: 1,
            attempt: 2
        }
    );
    run.apply(&d);
    let d = next(&run, fail, now()).unwrap();
    let until = now() + TimeDelta::seconds(2);
    assert!(matches!(d.action, Action::Backoff { attempt: 3, until: u, .. } if u == until));
    run.apply(&d);
    run.apply(&next(&run, RunEvent::StepStarted { step: 1 }, now()).unwrap());
    let d = next(&run, fail, now()).unwrap();
    assert_eq!((d.status, d.action), (RunStatus::Failed, Action::Stop));
    assert_eq!(d.steps[0].status, S::Failed);
}

#[test]
fn continue_on_error_goes_on_and_the_run_succeeds() {
    let mut run = view(RunStatus::Running, &[(A, S::Running), (A, S::Pending)]);
    run.steps[0].continue_on_error = true;
    let timed_out = RunEvent::StepFailed {
        step: 1,
        timed_out: true,
    };
    let d = next(&run, timed_out, now()).unwrap();
    assert_eq!(d.steps[0].status, S::Failed);
    assert_eq!(
        d.action,
        Action::Execute {
            step: 2,
            attempt: 1
        }
    );
    run.apply(&d);
    let d = next(&run, RunEvent::StepSucceeded { step: 2 }, now()).unwrap();
    assert_eq!(d.status, RunStatus::Succeeded);
}

#[test]
fn a_manual_step_waits_for_a_person() {
    let mut run = view(
        RunStatus::Running,
        &[(A, S::Running), (M, S::Pending), (A, S::Pending)],
    );
    let d = next(&run, RunEvent::StepSucceeded { step: 1 }, now()).unwrap();
    assert_eq!(d.action, Action::AwaitManual { step: 2 });
    assert_eq!(
        (d.status, d.wait_reason),
        (RunStatus::Waiting, Some(WaitReason::ManualStep))
    );
    run.apply(&d);
    let err = next(&run, RunEvent::DoneByPerson { step: 3 }, now()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "step 3 of run 01hzrun is pending; step 2 is the one waiting for a person"
    );
    let d = next(&run, RunEvent::DoneByPerson { step: 2 }, now()).unwrap();
    assert_eq!(
        d.action,
        Action::Execute {
            step: 3,
            attempt: 1
        }
    );
    let d = next(&run, RunEvent::FailedByPerson { step: 2 }, now()).unwrap();
    assert_eq!((d.status, d.action), (RunStatus::Failed, Action::Stop));
}

#[test]
fn pause_stops_before_the_next_step_and_resume_goes_on() {
    let mut run = view(RunStatus::Running, &[(A, S::Running), (A, S::Pending)]);
    let d = next(&run, RunEvent::Pause, now()).unwrap();
    assert_eq!((d.status, d.action), (RunStatus::Paused, Action::Continue));
    run.apply(&d);
    let d = next(&run, RunEvent::StepSucceeded { step: 1 }, now()).unwrap();
    assert_eq!((d.status, d.action), (RunStatus::Paused, Action::Stop));
    assert_eq!(d.steps.len(), 1, "the next step must not start: {d:?}");
    run.apply(&d);
    let err = next(&run, RunEvent::Pause, now()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "run 01hzrun is paused; `sop resume 01hzrun` goes on"
    );
    let d = next(&run, RunEvent::Resume, now()).unwrap();
    assert_eq!(
        d.action,
        Action::Execute {
            step: 2,
            attempt: 1
        }
    );
}

#[test]
fn a_failed_attempt_while_paused_retries_after_resume() {
    let mut run = view(RunStatus::Paused, &[(A, S::Running)]);
    run.steps[0].retries = 1;
    let d = next(
        &run,
        RunEvent::StepFailed {
            step: 1,
            timed_out: false,
        },
        now(),
    )
    .unwrap();
    assert_eq!((d.status, d.action), (RunStatus::Paused, Action::Stop));
    run.apply(&d);
    let d = next(&run, RunEvent::Resume, now()).unwrap();
    assert_eq!(
        d.action,
        Action::Execute {
            step: 1,
            attempt: 2
        }
    );
}

#[test]
fn cancel_kills_the_running_step_and_its_outcome_changes_nothing() {
    let mut run = view(RunStatus::Running, &[(A, S::Succeeded), (A, S::Running)]);
    let d = next(&run, RunEvent::Cancel, now()).unwrap();
    assert_eq!(
        (d.status, d.action),
        (RunStatus::Cancelled, Action::Kill { step: 2 })
    );
    run.apply(&d);
    let failed = RunEvent::StepFailed {
        step: 2,
        timed_out: false,
    };
    let d = next(&run, failed, now()).unwrap();
    assert!(d.is_noop(RunStatus::Cancelled));
    let err = next(&run, RunEvent::Cancel, now()).unwrap_err();
    assert_eq!(err.to_string(), "run 01hzrun is already cancelled");
}

#[test]
fn a_run_times_out_only_past_its_deadline() {
    let mut run = view(RunStatus::Running, &[(A, S::Succeeded), (A, S::Running)]);
    run.deadline = Some(now() + TimeDelta::seconds(30));
    let err = next(&run, RunEvent::TimedOut, now()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "run 01hzrun is running and has not reached its deadline (2026-01-31T09:30:30Z)"
    );
    let later = now() + TimeDelta::seconds(30);
    let d = next(&run, RunEvent::TimedOut, later).unwrap();
    assert_eq!(
        (d.status, d.action),
        (RunStatus::Failed, Action::Kill { step: 2 })
    );
    assert_eq!(d.step_status(2, S::Running), S::Cancelled);
    run.deadline = None;
    let err = next(&run, RunEvent::TimedOut, later).unwrap_err();
    assert!(err.to_string().contains("it has no timeout"), "{err}");
}

#[test]
fn a_timed_out_run_fails_and_the_stopped_step_reports_into_nothing() {
    let mut run = view(RunStatus::Running, &[(A, S::Succeeded), (A, S::Running)]);
    let d = next(&run, RunEvent::TimedOut, now()).unwrap();
    run.apply(&d);
    // The driver's late report of the killed step records its output and changes nothing.
    let failed = RunEvent::StepFailed {
        step: 2,
        timed_out: true,
    };
    assert!(
        next(&run, failed, now())
            .unwrap()
            .is_noop(RunStatus::Failed)
    );
    // Nothing stopped it by failing, so there is nothing to retry: the run is over.
    let err = next(&run, RunEvent::Retry { step: None }, now()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "run 01hzrun is failed; it timed out: no step failed that could be retried or skipped"
    );
    let err = next(&run, RunEvent::TimedOut, now()).unwrap_err();
    assert_eq!(err.to_string(), "run 01hzrun is already failed");
}

#[test]
fn a_run_waiting_for_a_person_or_a_gate_times_out_too() {
    let waiting = with_reason(
        view(RunStatus::Waiting, &[(A, S::Succeeded), (M, S::Waiting)]),
        WaitReason::ManualStep,
    );
    let d = next(&waiting, RunEvent::TimedOut, now()).unwrap();
    assert_eq!((d.status, d.action), (RunStatus::Failed, Action::Stop));
    assert_eq!(d.step_status(2, S::Waiting), S::Cancelled);
    let gated = with_gate(
        view(RunStatus::AwaitingApproval, &[(A, S::Pending)]),
        1,
        GateState::Open,
    );
    let d = next(&gated, RunEvent::TimedOut, now()).unwrap();
    assert_eq!((d.status, d.action), (RunStatus::Failed, Action::Stop));
    let paused = view(RunStatus::Paused, &[(A, S::Succeeded), (A, S::Pending)]);
    assert_eq!(
        next(&paused, RunEvent::TimedOut, now()).unwrap().status,
        RunStatus::Failed
    );
}

#[test]
fn a_lapsed_lease_reruns_an_idempotent_step() {
    let mut run = view(RunStatus::Running, &[(A, S::Succeeded), (A, S::Running)]);
    run.steps[1].idempotent = true;
    let d = next(&run, RunEvent::LeaseLapsed, now()).unwrap();
    assert_eq!(d.status, RunStatus::Pending);
    run.apply(&d);
    assert_eq!(run.steps[0].status, S::Succeeded);
    let d = next(&run, RunEvent::Resume, now()).unwrap();
    assert_eq!(
        d.action,
        Action::Execute {
            step: 2,
            attempt: 2
        }
    );
}

#[test]
fn a_lapsed_lease_parks_a_step_that_is_not_idempotent() {
    let mut run = view(RunStatus::Running, &[(A, S::Running), (A, S::Pending)]);
    let d = next(&run, RunEvent::LeaseLapsed, now()).unwrap();
    assert_eq!(
        (d.status, d.wait_reason),
        (RunStatus::Waiting, Some(WaitReason::Interrupted))
    );
    run.apply(&d);
    let err = next(&run, RunEvent::Resume, now()).unwrap_err();
    assert!(err.to_string().contains("step 1 was interrupted"), "{err}");
    let retry = next(&run, RunEvent::Retry { step: None }, now()).unwrap();
    assert_eq!(
        retry.action,
        Action::Execute {
            step: 1,
            attempt: 2
        }
    );
    let skip = next(&run, RunEvent::Skip { step: 1 }, now()).unwrap();
    assert_eq!(skip.steps[0].status, S::Skipped);
    assert_eq!(
        skip.action,
        Action::Execute {
            step: 2,
            attempt: 1
        }
    );
}

#[test]
fn retry_and_skip_name_the_step_that_stopped_a_failed_run() {
    let run = view(
        RunStatus::Failed,
        &[(A, S::Succeeded), (A, S::Failed), (A, S::Pending)],
    );
    let d = next(&run, RunEvent::Retry { step: Some(2) }, now()).unwrap();
    assert_eq!(
        d.action,
        Action::Execute {
            step: 2,
            attempt: 2
        }
    );
    let err = next(&run, RunEvent::Retry { step: Some(1) }, now()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "step 1 of run 01hzrun is succeeded; step 2 is the one to retry"
    );
    let err = next(&run, RunEvent::Skip { step: 9 }, now()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "run 01hzrun has no step 9; its steps are 1 to 3"
    );
}

#[test]
fn a_required_gate_holds_the_step_until_approved() {
    let run = with_gate(
        view(RunStatus::Pending, &[(A, S::Pending), (A, S::Pending)]),
        1,
        GateState::Required,
    );
    let d = next(&run, RunEvent::Start, now()).unwrap();
    assert_eq!(d.action, Action::AwaitGate { step: 1 });
    assert_eq!(d.gate, Some((1, GateState::Open)));
    let mut run = run;
    run.apply(&d);
    let d = next(&run, RunEvent::GateApproved { step: 1 }, now()).unwrap();
    assert_eq!(
        d.action,
        Action::Execute {
            step: 1,
            attempt: 1
        }
    );
    assert_eq!(d.gate, Some((1, GateState::Approved)));
    let d = next(&run, RunEvent::GateRejected { step: 1 }, now()).unwrap();
    assert_eq!(d.status, RunStatus::Rejected);
    let d = next(
        &run,
        RunEvent::GateExpired {
            step: 1,
            cancel: true,
        },
        now(),
    )
    .unwrap();
    assert_eq!(d.status, RunStatus::Cancelled);
}

#[test]
fn the_start_gate_holds_the_whole_run() {
    let mut run = view(RunStatus::Pending, &[(M, S::Pending), (A, S::Pending)]);
    run.start_gate = GateState::Required;
    run.steps[1].gate = GateState::Required;
    let d = next(&run, RunEvent::Start, now()).unwrap();
    assert_eq!(d.action, Action::AwaitGate { step: 0 });
    run.apply(&d);
    assert_eq!(run.start_gate, GateState::Open);
    let err = next(&run, RunEvent::GateApproved { step: 2 }, now()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "run 01hzrun is awaiting_approval; its open gate is the gate before the run starts, \
         not the gate before step 2"
    );
    let d = next(&run, RunEvent::GateApproved { step: 0 }, now()).unwrap();
    assert_eq!(d.action, Action::AwaitManual { step: 1 });
    run.apply(&d);
    assert_eq!(run.start_gate, GateState::Approved);
    let d = next(&run, RunEvent::DoneByPerson { step: 1 }, now()).unwrap();
    assert_eq!(d.action, Action::AwaitGate { step: 2 });
}

#[test]
fn unmet_conditions_skip_the_run_and_its_steps() {
    let run = view(RunStatus::Pending, &[(A, S::Pending), (M, S::Pending)]);
    let d = next(&run, RunEvent::ConditionsUnmet, now()).unwrap();
    assert_eq!(d.status, RunStatus::Skipped);
    assert!(d.steps.iter().all(|c| c.status == S::Skipped));
}

fn arb_event() -> impl Strategy<Value = RunEvent> {
    (0..RunEvent::KINDS.len(), 0u32..6, any::<bool>()).prop_map(|(i, step, flag)| {
        match aim(RunEvent::KINDS[i], step) {
            RunEvent::Retry { .. } if flag => RunEvent::Retry { step: Some(step) },
            other => other,
        }
    })
}

fn arb_run() -> impl Strategy<Value = RunView> {
    let step = (
        any::<bool>(),
        0u32..3,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    );
    (prop::collection::vec(step, 1..5), any::<bool>()).prop_map(|(steps, supervised)| {
        let mut run = view(RunStatus::Pending, &[]);
        if supervised {
            run.start_gate = GateState::Required;
        }
        for (i, (manual, retries, coe, idem, gated, cond)) in steps.into_iter().enumerate() {
            let kind = if manual { M } else { A };
            let mut s = StepView::pending(i as u32 + 1, kind);
            s.retries = retries;
            s.continue_on_error = coe;
            s.idempotent = idem;
            s.conditional = cond;
            s.gate = if gated {
                GateState::Required
            } else {
                GateState::None
            };
            run.steps.push(s);
        }
        run
    })
}

proptest! {
    /// Any sequence of events keeps a run consistent: decisions satisfy every invariant, a
    /// succeeded step never runs again, and a finished run (other than a failed one a person
    /// retries or skips past) never changes.
    #[test]
    fn random_event_sequences_keep_runs_consistent(
        mut run in arb_run(),
        events in prop::collection::vec(arb_event(), 0..40),
    ) {
        for event in events {
            let before = run.clone();
            match next(&run, event, now()) {
                Ok(d) => {
                    check_decision(&before, &d);
                    if before.status.is_terminal() && before.status != RunStatus::Failed {
                        prop_assert!(d.is_noop(before.status), "{before:?} changed by {event}");
                    }
                    run.apply(&d);
                }
                Err(e) => prop_assert!(e.to_string().contains(ID)),
            }
        }
    }
}

#[test]
fn a_queued_run_becomes_pending_when_dequeued_and_nothing_else_moves() {
    let run = view(RunStatus::Queued, &[(A, S::Pending)]);
    let d = next(&run, RunEvent::Dequeue, now()).unwrap();
    assert_eq!(d.status, RunStatus::Pending);
    assert!(d.steps.is_empty());
    assert_eq!(d.action, Action::Stop);
    assert!(!d.conditions_checked);
    let err = next(&run, RunEvent::Resume, now()).unwrap_err();
    assert!(err.to_string().contains("sop cancel 01hzrun"), "{err}");
    let d = next(&run, RunEvent::Cancel, now()).unwrap();
    assert_eq!(d.status, RunStatus::Cancelled);
}

#[test]
fn a_dequeued_run_starts_only_through_its_conditions_and_then_they_are_no_longer_due() {
    let run = dequeued(view(RunStatus::Pending, &[(A, S::Pending)]));
    let err = next(&run, RunEvent::Resume, now()).unwrap_err();
    assert!(
        err.to_string().contains("conditions are checked again"),
        "{err}"
    );

    let d = next(&run, RunEvent::Start, now()).unwrap();
    assert!(d.conditions_checked);
    assert_eq!(
        d.action,
        Action::Execute {
            step: 1,
            attempt: 1
        }
    );
    let mut after = run.clone();
    after.apply(&d);
    assert!(!after.conditions_due);

    let d = next(&run, RunEvent::ConditionsUnmet, now()).unwrap();
    assert_eq!(d.status, RunStatus::Skipped);
    assert!(d.conditions_checked);

    // A run that never queued starts as before, with nothing to clear.
    let plain = view(RunStatus::Pending, &[(A, S::Pending)]);
    assert!(
        !next(&plain, RunEvent::Start, now())
            .unwrap()
            .conditions_checked
    );
}

#[test]
fn a_queued_run_does_not_count_against_the_limit_and_is_not_finished() {
    assert!(!RunStatus::Queued.is_active());
    assert!(!RunStatus::Queued.is_terminal());
    assert!(RunStatus::Pending.is_active());
    assert_eq!("queued".parse::<RunStatus>(), Ok(RunStatus::Queued));
}
