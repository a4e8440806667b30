//! Operations a person takes on a run: pause, cancel, resume, retry, skip, and completing a
//! manual step. Each is one committed event; those that hand the run on drive it in the
//! caller's thread when asked to.

use super::{Caller, Service};
use crate::engine::commit::NeedsLease;
use crate::engine::{Change, LeaseUse, StepRecord, Tracked, commit, redact};
use crate::executor::{Termination, terminate_group};
use crate::{Error, ErrorKind};
use sop_core::run::{Action, RunEvent};
use sop_core::step_output::Outputs;
use sop_store::StoreError;

/// Lost races with the process finishing the run's current step before giving up.
const MAX_RESUME_TRIES: u32 = 8;

/// A paused run; `after_step` is the running step that finishes first, if any.
pub struct Paused {
    pub tracked: Tracked,
    pub after_step: Option<u32>,
}

/// What became of the step that was running when a run was cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KillReport {
    /// It stopped after SIGTERM.
    Stopped,
    /// It ignored SIGTERM and was killed after the grace period.
    Killed,
    /// Its processes could not be signalled; the process driving the run stops it.
    Unreachable(String),
    /// Its process group is not known here; the process driving the run stops it.
    LeftToDriver,
}

pub struct Cancelled {
    pub tracked: Tracked,
    /// The step that was running, and what became of it.
    pub killed: Option<(u32, KillReport)>,
}

/// A manual step reported done or failed by a person.
pub struct StepCompletion {
    /// Default: the step the run waits at.
    pub step: Option<u32>,
    pub note: Option<String>,
    pub outputs: Outputs,
    pub failed: bool,
}

impl Service {
    pub fn pause(&self, caller: &Caller, id: &str) -> crate::Result<Paused> {
        let eng = self.engine(caller)?;
        let mut t = eng.load(id)?;
        let change = Change::new(RunEvent::Pause, LeaseUse::Untouched)
            .reason(format!("paused by {}", eng.actor));
        let decision = commit(&eng, &mut t, &change)?;
        let after_step = match (decision.action, t.view.running_step()) {
            (Action::Continue, Some(step)) => Some(step.number),
            _ => None,
        };
        Ok(Paused {
            tracked: t,
            after_step,
        })
    }

    /// Stops the run now; a running step's process group gets SIGTERM, then SIGKILL.
    ///
    /// A process group is signalled only by the process that started it: the cancel is
    /// recorded, and the driver holding the run's lease — this process, another process, or
    /// another node — notices and stops its step. The group is signalled from here only when
    /// this process drives the run, or when its driver was on this host and is gone (nobody
    /// else would stop what it left running).
    pub fn cancel(
        &self,
        caller: &Caller,
        id: &str,
        reason: Option<&str>,
    ) -> crate::Result<Cancelled> {
        let eng = self.engine(caller)?;
        let mut t = eng.load(id)?;
        let actor = &eng.actor;
        // Free text from a person never carries the run's secrets into the record.
        let reason = reason.map(|r| redact::hide(r, &t.secrets()));
        let reason = reason.as_deref();
        let pgid = t
            .view
            .running_step()
            .and_then(|s| t.step_record(s.number))
            .and_then(|s| s.process_group)
            .filter(|_| crate::engine::lease::signalled_here(t.run.lease_owner.as_deref()));
        let text = match reason {
            Some(r) => format!("cancelled by {actor}: {r}"),
            None => format!("cancelled by {actor}"),
        };
        let mut change = Change::new(RunEvent::Cancel, LeaseUse::Untouched).reason(text);
        if let Some(r) = reason {
            change = change.detail("reason", r);
        }
        let decision = commit(&eng, &mut t, &change)?;
        let killed = match decision.action {
            Action::Kill { step } => {
                let report = match pgid.map(|p| terminate_group(p, eng.tuning.executor.kill_grace))
                {
                    Some(Ok(Termination::Killed)) => KillReport::Killed,
                    Some(Ok(_)) => KillReport::Stopped,
                    Some(Err(e)) => KillReport::Unreachable(e.to_string()),
                    None => KillReport::LeftToDriver,
                };
                Some((step, report))
            }
            _ => None,
        };
        Ok(Cancelled { tracked: t, killed })
    }

    /// Goes on with a paused, pending or recovered run; drives it here when `drive`.
    pub fn resume(&self, caller: &Caller, id: &str, drive: bool) -> crate::Result<Tracked> {
        let mut t = self.load_run(caller, id)?;
        if let Some(action) = self.resume_action(caller, &mut t)?
            && drive
        {
            self.drive(caller, &mut t, action)?;
        }
        Ok(t)
    }

    /// Commits `Resume` and returns what this process should do next. When the step that ran
    /// as the run was paused still has not finished, its process keeps the lease and goes on.
    /// A run that waited in the queue starts through its conditions, evaluated again now.
    pub(super) fn resume_action(
        &self,
        caller: &Caller,
        t: &mut Tracked,
    ) -> crate::Result<Option<Action>> {
        let eng = self.engine(caller)?;
        if t.view.conditions_due && t.view.status == sop_core::run::RunStatus::Pending {
            let decision = crate::engine::queue::start_dequeued(&eng, t)?;
            return Ok(Some(decision.action));
        }
        for _ in 0..MAX_RESUME_TRIES {
            match commit(&eng, t, &Change::new(RunEvent::Resume, LeaseUse::Take)) {
                Ok(decision) => return Ok(Some(decision.action)),
                Err(e) if is_lease_held(&e) => {
                    let change = Change::new(RunEvent::Resume, LeaseUse::Untouched);
                    match commit(&eng, t, &change) {
                        Ok(decision) => return Ok(Some(decision.action)),
                        Err(e) if e.source_as::<NeedsLease>().is_some() => t.reload(&eng)?,
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Err(Error::conflict(format!(
            "run {} kept changing hands while resuming it; try again",
            t.id()
        )))
    }

    /// Runs a failed or interrupted step again (default: the one that stopped the run).
    pub fn retry(
        &self,
        caller: &Caller,
        id: &str,
        step: Option<u32>,
        drive: bool,
    ) -> crate::Result<Tracked> {
        let change = Change::new(RunEvent::Retry { step }, LeaseUse::Take);
        self.commit_and_drive(caller, id, &change, drive)
    }

    /// Goes on without a failed, interrupted or manual step.
    pub fn skip(
        &self,
        caller: &Caller,
        id: &str,
        step: u32,
        reason: &str,
        drive: bool,
    ) -> crate::Result<Tracked> {
        let secrets = self.load_run(caller, id)?.secrets();
        let reason = redact::hide(reason, &secrets);
        let record = StepRecord {
            step,
            outcome: Some("skipped".into()),
            note: Some(format!("skipped by {}: {reason}", caller.actor)),
            ..StepRecord::default()
        };
        let change = Change::new(RunEvent::Skip { step }, LeaseUse::Take)
            .record(record)
            .detail("reason", reason.as_str());
        self.commit_and_drive(caller, id, &change, drive)
    }

    /// A person reports a manual step done (or failed); returns the step and the run.
    pub fn complete_step(
        &self,
        caller: &Caller,
        id: &str,
        done: &StepCompletion,
        drive: bool,
    ) -> crate::Result<(u32, Tracked)> {
        if done.failed && !done.outputs.is_empty() {
            return Err(Error::invalid(
                "outputs record what a finished step produced; a failed step has no outputs",
            ));
        }
        if done.failed && done.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(Error::invalid("a failed step needs a note saying why"));
        }
        let eng = self.engine(caller)?;
        let mut t = eng.load(id)?;
        let step = done
            .step
            .or_else(|| t.view.waiting_step().map(|s| s.number))
            .or(t.run.current_step)
            .unwrap_or(1);
        let (event, outcome) = if done.failed {
            (RunEvent::FailedByPerson { step }, "failed")
        } else {
            (RunEvent::DoneByPerson { step }, "done")
        };
        let note = done.note.as_deref().map(|n| redact::hide(n, &t.secrets()));
        let record = StepRecord {
            step,
            outcome: Some(outcome.into()),
            note: note.clone(),
            outputs: (!done.outputs.is_empty()).then(|| done.outputs.clone()),
            ..StepRecord::default()
        };
        let mut change = Change::new(event, LeaseUse::Take).record(record);
        if done.failed {
            let note = note.as_deref().unwrap_or_default();
            change = change.reason(format!(
                "step {step} failed (reported by {}): {note}",
                eng.actor
            ));
        }
        let decision = commit(&eng, &mut t, &change)?;
        caller.events.step_completed(step, done.failed, &eng.actor);
        if drive {
            self.drive(caller, &mut t, decision.action)?;
        }
        Ok((step, t))
    }

    fn commit_and_drive(
        &self,
        caller: &Caller,
        id: &str,
        change: &Change,
        drive: bool,
    ) -> crate::Result<Tracked> {
        let eng = self.engine(caller)?;
        let mut t = eng.load(id)?;
        let decision = commit(&eng, &mut t, change)?;
        if let RunEvent::Skip { step } = change.event {
            caller.events.step_skipped(step, &eng.actor);
        }
        if drive {
            self.drive(caller, &mut t, decision.action)?;
        }
        Ok(t)
    }
}

fn is_lease_held(e: &Error) -> bool {
    e.kind == ErrorKind::Conflict
        && matches!(
            e.source_as::<StoreError>(),
            Some(StoreError::LeaseHeld { .. })
        )
}
