//! Advances a run whose lease this process holds: asks the machine what to do, runs the step,
//! records the outcome and the start of the next step in one transaction, and repeats until the
//! run finishes or waits for someone.

use super::commit::{Change, LeaseUse, StepRecord, commit};
use super::launch::{self, Prepared};
use super::settings::DEFAULT_STEP_TIMEOUT;
use super::step_watch::{Abandon, StepWatch};
use super::tracked::Tracked;
use super::{Engine, redact, run_deadline, step_condition, trace};
use crate::error::Context as _;
use crate::executor::{StepRequest, StepResult};
use sop_core::run::{Action, RunEvent, RunStatus, time_left};
use sop_store::StepOutput;
use std::time::Instant;

/// Runs `t` from `action` (the action of the decision that handed this process the lease) until
/// there is nothing left for this process to do.
pub fn drive(eng: &Engine, t: &mut Tracked, mut action: Action) -> crate::Result<()> {
    // A run left for a server was given only its working directory's name, and a step done by
    // hand is done there too. A command step makes it as well, and fails if it cannot.
    if let Some(dir) = t
        .run
        .workdir
        .as_ref()
        .filter(|_| !t.run.status.is_terminal())
    {
        let _ = super::workdir::ensure(std::path::Path::new(dir), eng.dirs);
    }
    let result = loop {
        if let (Some(signal), Action::Execute { step, .. } | Action::Backoff { step, .. }) =
            (eng.stop.requested(), action)
        {
            break let_go(eng, t, step, signal, None);
        }
        // Past the run's deadline nothing more starts: not a step, a retry or a condition.
        if matches!(
            action,
            Action::Execute { .. } | Action::Backoff { .. } | Action::CheckCondition { .. }
        ) && t.view.past_deadline(eng.clock.now())
        {
            break time_out(eng, t, action, None);
        }
        match action {
            Action::Execute { step, attempt } => match execute(eng, t, step, attempt) {
                Ok(Some(next)) => action = next,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            },
            Action::Backoff { step, until, .. } => {
                if let Err(e) = wait_until(eng, t, until) {
                    break Err(e);
                }
                if t.view.past_deadline(eng.clock.now()) {
                    break time_out(eng, t, Action::Continue, None);
                }
                let change = Change::new(RunEvent::StepStarted { step }, LeaseUse::Held);
                match commit(eng, t, &change) {
                    Ok(d) => action = d.action,
                    Err(e) => break Err(e),
                }
            }
            Action::CheckCondition { step } => match step_condition::check(eng, t, step) {
                Ok(d) => action = d.action,
                Err(e) => break Err(e),
            },
            Action::AwaitManual { step } => {
                if let Some(def) = t.step_def(step) {
                    eng.events.manual_step(t, def);
                }
                break Ok(());
            }
            Action::AwaitGate { .. } | Action::Kill { .. } | Action::Stop | Action::Continue => {
                break Ok(());
            }
        }
    };
    trace::flush();
    result
}

/// Runs attempt `attempt` of `step` (and the automatic retries left) and commits its outcome.
/// `None`: this process has nothing more to do for the run.
fn execute(
    eng: &Engine,
    t: &mut Tracked,
    step: u32,
    attempt: u32,
) -> crate::Result<Option<Action>> {
    let def = t
        .step_def(step)
        .cloned()
        .with_context(|| format!("run {} has no step {step} in its definition", t.id()))?;
    trace::mark("starting", step);
    let Prepared {
        exec,
        scripts,
        outputs,
        group,
    } = launch::take_or_record(eng, t, step, attempt).prepared?;
    eng.events.step_started(t, &def);
    trace::mark("announced", step);
    let scripts = match scripts {
        Ok(s) => s,
        Err(why) => {
            eng.events.step_error(step, &why);
            let record = StepRecord {
                step,
                outcome: Some("failed".into()),
                attempt: Some(attempt),
                failure: Some(why.clone()),
                output: Some(text_output(&why)),
                ..StepRecord::default()
            };
            let event = RunEvent::StepFailed {
                step,
                timed_out: false,
            };
            let change = Change::new(event, LeaseUse::Held)
                .record(record)
                .reason(format!("step {step} failed: {why}"));
            return Ok(Some(commit(eng, t, &change)?.action));
        }
    };
    let timeout = def
        .options
        .timeout
        .or(t.sop.meta.step_timeout)
        .map_or(DEFAULT_STEP_TIMEOUT, |d| d.as_std());
    // The run's deadline as an instant of this process's monotonic clock: the executor cuts
    // each attempt at the sooner of the step's timeout and it.
    let now = eng.clock.now();
    let request = StepRequest {
        number: step,
        scripts: &scripts,
        timeout: Some(timeout),
        deadline: t.run.deadline.map(|d| Instant::now() + time_left(d, now)),
        retries: def.options.retries.saturating_sub(attempt - 1),
        earlier_outputs: &outputs,
        first_attempt: attempt,
        not_before: eng.not_before,
    };
    trace::mark("rendered", step);
    let mut watch = StepWatch::new(eng, t, step, attempt, group);
    let result = exec.executor.run_step(&request, &mut watch);
    trace::mark("ended", step);
    let abandoned = watch.abandoned;
    let secrets = std::mem::take(&mut watch.secrets);
    if let Some(e) = watch.error.take() {
        return Err(e);
    }
    match abandoned {
        Some(Abandon::Elsewhere) => return Ok(None),
        Some(Abandon::Interrupted(signal)) => {
            let last_attempt = attempt + result.attempts - 1;
            let record = outcome(step, last_attempt, &result, true, &secrets).record;
            let_go(eng, t, step, signal, record)?;
            return Ok(None);
        }
        _ => {}
    }
    let last_attempt = attempt + result.attempts - 1;
    if result.deadline_passed && !result.succeeded() && abandoned.is_none() {
        let record = outcome(step, last_attempt, &result, false, &secrets).record;
        time_out(eng, t, Action::Continue, record)?;
        return Ok(None);
    }
    let change = outcome(step, last_attempt, &result, abandoned.is_some(), &secrets);
    trace::mark("committing", step);
    let decision = commit(eng, t, &change)?;
    trace::mark("committed", step);
    if t.run.status == RunStatus::Cancelled {
        eng.events.step_cancelled(step, &result);
    } else {
        eng.events
            .step_finished(t, step, &result, def.options.continue_on_error);
    }
    Ok(Some(decision.action))
}

/// `secrets` are hidden from the stored output tail (its size and hash are of the real output).
fn outcome(
    step: u32,
    attempt: u32,
    result: &StepResult,
    cancelled: bool,
    secrets: &[String],
) -> Change {
    let failure = result.failure();
    let outcome = if result.succeeded() {
        "succeeded"
    } else if cancelled || result.cancelled {
        "cancelled"
    } else if result.timed_out {
        "timed_out"
    } else {
        "failed"
    };
    let record = StepRecord {
        step,
        outcome: Some(outcome.into()),
        attempt: Some(attempt),
        exit_code: result.exit_code,
        duration_ms: Some(result.duration.as_millis() as u64),
        output: Some(StepOutput {
            tail: redact::hide_bytes(&result.output.tail, secrets),
            total_size: result.output.total_bytes,
            sha256: Some(result.output.sha256.clone()),
        }),
        outputs: Some(result.outputs.clone()),
        failure: failure.clone(),
        note: None,
    };
    let event = if result.succeeded() {
        RunEvent::StepSucceeded { step }
    } else {
        RunEvent::StepFailed {
            step,
            timed_out: result.timed_out,
        }
    };
    let mut change = Change::new(event, LeaseUse::Held).record(record);
    if let Some(why) = failure {
        change = change.reason(format!("step {step} failed: {why}"));
    }
    change
}

/// This process was told to stop while the run had step `step` under way: the run is left as
/// a crash would leave it (an idempotent step runs again on `sop resume`, any other waits for
/// `sop retry` or `sop skip`), with the signal recorded.
fn let_go(
    eng: &Engine,
    t: &mut Tracked,
    step: u32,
    signal: i32,
    record: Option<StepRecord>,
) -> crate::Result<()> {
    let mut change = Change::new(RunEvent::LeaseLapsed, LeaseUse::Held)
        .detail("signal", signal)
        .detail("interrupted_step", step)
        .reason(format!(
            "sop was stopped by signal {signal} during step {step}"
        ));
    change.record = record;
    commit(eng, t, &change)?;
    eng.events.step_interrupted(step, signal);
    Ok(())
}

/// The run's deadline passed while this process drove it: the run fails with reason `timeout`.
/// `action` is what was about to happen (an attempt this process had already recorded is
/// given up before any of it runs); `record` is what a step stopped by the deadline left.
fn time_out(
    eng: &Engine,
    t: &mut Tracked,
    action: Action,
    record: Option<StepRecord>,
) -> crate::Result<()> {
    if let Action::Execute { step, attempt } = action {
        // Its process group's leader exits when the launch is dropped; nothing of it ran.
        drop(t.launch.take(step, attempt));
    }
    let stopped = record.as_ref().map(|r| r.step);
    let change = run_deadline::change(t, LeaseUse::Held, record);
    commit(eng, t, &change)?;
    eng.events.run_timed_out(t, stopped);
    Ok(())
}

/// Output standing in for a step that never ran: the reason, as if it had printed it.
fn text_output(text: &str) -> StepOutput {
    use sha2::{Digest, Sha256};
    let bytes = format!("{text}\n").into_bytes();
    StepOutput {
        total_size: bytes.len() as u64,
        sha256: Some(hex::encode(Sha256::digest(&bytes))),
        tail: bytes,
    }
}

/// Sleeps until `until` (or the run's deadline, if sooner), watching for a cancel from another
/// process.
fn wait_until(
    eng: &Engine,
    t: &mut Tracked,
    until: chrono::DateTime<chrono::Utc>,
) -> crate::Result<()> {
    let until = t.run.deadline.map_or(until, |d| until.min(d));
    let started = Instant::now();
    let total = (until - eng.clock.now()).to_std().unwrap_or_default();
    while started.elapsed() < total {
        let left = total - started.elapsed();
        std::thread::sleep(left.min(eng.tuning.executor.poll_interval));
        let run = eng.store.run(t.id())?;
        if run.version != t.run.version {
            t.reload(eng)?;
            return Ok(());
        }
    }
    Ok(())
}
