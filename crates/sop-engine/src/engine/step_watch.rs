//! Follows a running step for the engine: hands the executor each attempt's process group (as
//! the attempt's start recorded it), streams its output, keeps the lease alive,
//! notices a cancel from another process, and records each failed attempt and the start of the
//! next before the executor retries it.

use super::commit::{Change, LeaseUse, StepRecord, commit};
use super::launch::{self, Prepared};
use super::tracked::Tracked;
use super::{Engine, redact, trace};
use crate::executor::{FailedAttempt, GroupLeader, Observer};
use sop_core::run::{Action, RunEvent};
use sop_store::StoreExt;
use std::time::{Duration, Instant};

/// Why the engine stopped following the step before it ended by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abandon {
    /// The run was cancelled (or timed out by another process); the step's outcome is still
    /// recorded.
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
    /// That attempt's process group, as the transaction that started it recorded it.
    first: Option<std::io::Result<GroupLeader>>,
    last_renewed: Instant,
    pub abandoned: Option<Abandon>,
    /// Set when committing an attempt's failure went wrong; reported after the step ends.
    pub error: Option<crate::Error>,
    /// The run's secret values, hidden from the output everyone watching sees (and, taken once
    /// the step ended, from what is recorded of it).
    pub secrets: Vec<String>,
}

impl<'a> StepWatch<'a> {
    pub fn new(
        eng: &'a Engine<'a>,
        t: &'a mut Tracked,
        step: u32,
        first_attempt: u32,
        first: Option<std::io::Result<GroupLeader>>,
    ) -> Self {
        let secrets = t.secrets();
        StepWatch {
            secrets,
            eng,
            t,
            step,
            first_attempt,
            first,
            last_renewed: Instant::now(),
            abandoned: None,
            error: None,
        }
    }

    /// Renews the lease when due; false when this process no longer holds it.
    fn renew(&mut self) -> bool {
        if self.last_renewed.elapsed() < self.eng.tuning.renew_after() {
            return true;
        }
        let until = self.eng.clock.now() + self.eng.tuning.lease_ttl();
        let id = self.t.id();
        let owner = self.eng.owner.as_str();
        match self
            .eng
            .store
            .transaction(|tx| tx.renew_lease(id, owner, until))
        {
            Ok(_) => {
                self.last_renewed = Instant::now();
                self.t.run.lease_expires_at = Some(until);
                true
            }
            Err(_) => false,
        }
    }
}

impl Observer for StepWatch<'_> {
    fn process_group(&mut self, attempt: u32) -> Option<std::io::Result<GroupLeader>> {
        if attempt == self.first_attempt
            && let Some(first) = self.first.take()
        {
            return Some(first);
        }
        let launch = launch::take_or_record(self.eng, self.t, self.step, attempt);
        Some(match launch.prepared {
            Ok(Prepared {
                group: Some(group), ..
            }) => group,
            Ok(Prepared { scripts, .. }) => Err(std::io::Error::other(
                scripts
                    .err()
                    .unwrap_or_else(|| "the step has no command".into()),
            )),
            Err(e) => Err(std::io::Error::other(e.to_string())),
        })
    }

    fn spawned(&mut self, _pgid: i32) {
        trace::mark("spawned", self.step);
        // The next step's start (and a spare group) is made now, while this one runs, not
        // when it is due.
        launch::prepare_ahead(self.eng, self.t, self.step);
        self.t.launch.make_spare();
    }

    fn should_stop(&mut self) -> bool {
        if self.abandoned.is_some() {
            return true;
        }
        if let Some(signal) = self.eng.stop.requested() {
            self.abandoned = Some(Abandon::Interrupted(signal));
            return true;
        }
        if !self.renew() {
            self.abandoned = Some(Abandon::Elsewhere);
            return true;
        }
        match self.eng.store.run(self.t.id()) {
            // Cancelled, or timed out by another process (its deadline well past).
            Ok(run) if run.status.is_terminal() => {
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
        let shown = redact::hide_bytes(bytes, &self.secrets);
        self.eng.events.step_output(self.step, false, &shown);
    }

    fn stderr(&mut self, bytes: &[u8]) {
        let shown = redact::hide_bytes(bytes, &self.secrets);
        self.eng.events.step_output(self.step, true, &shown);
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
