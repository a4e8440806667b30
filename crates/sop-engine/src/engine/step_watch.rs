//! Follows a running step for the engine: streams its output, records its process group,
//! keeps the lease alive, notices a cancel from another process, and records each failed
//! attempt before the executor retries it.

use super::commit::{Change, LeaseUse, StepRecord, commit};
use super::tracked::Tracked;
use super::{Engine, trace};
use crate::executor::{FailedAttempt, Observer};
use sop_core::run::{Action, RunEvent, RunStatus};
use sop_store::{StepPatch, StoreExt};
use std::time::{Duration, Instant};

/// Why the engine stopped following the step before it ended by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abandon {
    /// The run was cancelled; the step's outcome is still recorded.
    Cancelled,
    /// Another process took the run over (this one stalled past its lease), or the run moved
    /// on without this attempt (paused during a retry's wait): nothing more to record here.
    Elsewhere,
    /// This process was asked to stop (Ctrl-C, SIGTERM, SIGHUP): it lets go of the run as if it
    /// had died, but records why.
    Interrupted(i32),
}

pub struct StepWatch<'a> {
    eng: &'a Engine<'a>,
    t: &'a mut Tracked,
    step: u32,
    /// The run's attempt number of the executor's first attempt.
    first_attempt: u32,
    pgid: Option<i32>,
    pgid_recorded: bool,
    last_renewed: Instant,
    pub abandoned: Option<Abandon>,
    /// Set when committing an attempt's failure went wrong; reported after the step ends.
    pub error: Option<crate::Error>,
}

impl<'a> StepWatch<'a> {
    pub fn new(eng: &'a Engine<'a>, t: &'a mut Tracked, step: u32, first_attempt: u32) -> Self {
        StepWatch {
            eng,
            t,
            step,
            first_attempt,
            pgid: None,
            pgid_recorded: false,
            last_renewed: Instant::now(),
            abandoned: None,
            error: None,
        }
    }

    /// Records the process group where `sop cancel` and recovery can find it, and renews the
    /// lease when due; both in one small transaction.
    fn record_and_renew(&mut self) -> bool {
        let renew = self.last_renewed.elapsed() >= self.eng.tuning.renew_after();
        let pgid = self.pgid.filter(|_| !self.pgid_recorded);
        if pgid.is_none() && !renew {
            return true;
        }
        let now = self.eng.clock.now();
        let until = now + self.eng.tuning.lease_ttl();
        let id = self.t.id().to_string();
        let step = self.step;
        let result = self.eng.store.transaction(|tx| {
            if renew {
                tx.renew_lease(&id, self.eng.owner.as_str(), until)?;
            }
            if let Some(pgid) = pgid {
                let patch = StepPatch {
                    process_group: Some(Some(pgid)),
                    ..StepPatch::default()
                };
                tx.update_step(&id, step, &patch)?;
            }
            Ok(())
        });
        match result {
            Ok(()) => {
                if renew {
                    self.last_renewed = Instant::now();
                    self.t.run.lease_expires_at = Some(until);
                }
                self.pgid_recorded |= pgid.is_some();
                true
            }
            Err(_) => false,
        }
    }
}

impl Observer for StepWatch<'_> {
    fn spawned(&mut self, pgid: i32) {
        trace::mark("spawned", self.step);
        self.pgid = Some(pgid);
        self.pgid_recorded = false;
    }

    fn should_stop(&mut self) -> bool {
        if self.abandoned.is_some() {
            return true;
        }
        if let Some(signal) = self.eng.stop.requested() {
            self.abandoned = Some(Abandon::Interrupted(signal));
            return true;
        }
        if !self.record_and_renew() {
            self.abandoned = Some(Abandon::Elsewhere);
            return true;
        }
        match self.eng.store.run(self.t.id()) {
            Ok(run) if run.status == RunStatus::Cancelled => {
                self.abandoned = Some(Abandon::Cancelled);
                true
            }
            Ok(run) if run.lease_owner.as_deref() != Some(self.eng.owner.as_str()) => {
                self.abandoned = Some(Abandon::Elsewhere);
                true
            }
            _ => false,
        }
    }

    fn stdout(&mut self, bytes: &[u8]) {
        self.eng.events.step_output(self.step, false, bytes);
    }

    fn stderr(&mut self, bytes: &[u8]) {
        self.eng.events.step_output(self.step, true, bytes);
    }

    fn retrying(&mut self, failed: &FailedAttempt, delay: Duration) {
        let attempt = self.first_attempt + failed.attempt - 1;
        let why = match (
            failed.timed_out,
            failed.exit_code,
            failed.signal,
            &failed.error,
        ) {
            (true, ..) => "timed out".to_string(),
            (_, _, _, Some(e)) => e.clone(),
            (_, Some(code), ..) => format!("exit code {code}"),
            (_, None, Some(sig), _) => format!("killed by signal {sig}"),
            _ => "failed".to_string(),
        };
        self.eng.events.retrying(self.step, attempt, &why, delay);
        let record = StepRecord {
            step: self.step,
            outcome: Some(
                if failed.timed_out {
                    "timed_out"
                } else {
                    "failed"
                }
                .into(),
            ),
            attempt: Some(attempt),
            exit_code: failed.exit_code,
            duration_ms: Some(failed.duration.as_millis() as u64),
            failure: Some(why),
            ..StepRecord::default()
        };
        let failed_event = RunEvent::StepFailed {
            step: self.step,
            timed_out: failed.timed_out,
        };
        let change = Change::new(failed_event, LeaseUse::Held).record(record);
        let started = Change::new(RunEvent::StepStarted { step: self.step }, LeaseUse::Held);
        let result = commit(self.eng, self.t, &change).and_then(|d| match d.action {
            Action::Backoff { .. } => commit(self.eng, self.t, &started).map(Some),
            _ => Ok(None),
        });
        match result {
            Ok(Some(d)) if matches!(d.action, Action::Execute { .. }) => {}
            Ok(_) => self.abandoned = Some(Abandon::Elsewhere),
            Err(e) => {
                self.error = Some(e);
                self.abandoned = Some(Abandon::Elsewhere);
            }
        }
    }
}
