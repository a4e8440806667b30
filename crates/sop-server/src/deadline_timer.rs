//! The server's deadline timer: a thread that sleeps until the soonest deadline — an open
//! gate's, or a run's `timeout` — applies what is due (the gate fails closed; the run fails
//! with reason `timeout`, its step stopped as on cancel; each audited), and sleeps again.
//! Whatever may have opened a gate or started a run in this server (a run's driving thread
//! letting go of it) wakes it to look again; deadlines set by other processes on the same
//! database are seen within [`RECHECK_EVERY`].
//!
//! A run a live process drives is that process's to time out; the timer steps in only once its
//! deadline is well past (see `sop_engine::engine::run_deadline`).

use crate::dispatcher::SERVER_ACTOR;
use sop_engine::{Caller, Service};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// The longest the timer sleeps without looking at the store again.
pub const RECHECK_EVERY: Duration = Duration::from_secs(30);

/// The shortest sleep: a deadline that is due but could not be applied (its run changing hands
/// at that instant) is tried again after this, not in a busy loop.
const RETRY_AFTER: Duration = Duration::from_millis(50);

#[derive(Default)]
pub struct DeadlineTimer {
    state: Mutex<Signals>,
    changed: Condvar,
}

#[derive(Default)]
struct Signals {
    woken: bool,
    stopped: bool,
}

impl DeadlineTimer {
    /// Something may have opened a gate: look at the deadlines again now.
    pub fn wake(&self) {
        self.signal(|s| s.woken = true);
    }

    /// Ends [`DeadlineTimer::run`].
    pub fn stop(&self) {
        self.signal(|s| s.stopped = true);
    }

    fn signal(&self, f: impl FnOnce(&mut Signals)) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s);
        self.changed.notify_all();
    }

    /// Applies deadlines as they come, until [`DeadlineTimer::stop`].
    pub fn run(&self, service: &Service) {
        let caller = Caller::quiet(SERVER_ACTOR);
        loop {
            // One read of each kind per wake; deadlines are applied only when one is due.
            let sleep = match soonest(service, &caller) {
                Ok(Some(at)) if at <= service.clock().now() => apply(service, &caller),
                Ok(Some(at)) => (at - service.clock().now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    // Timers may fire a hair early; the deadline is judged by the clock.
                    .saturating_add(Duration::from_millis(1))
                    .min(RECHECK_EVERY),
                Ok(None) => RECHECK_EVERY,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read deadlines");
                    RECHECK_EVERY
                }
            };
            let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let (mut s, _) = self
                .changed
                .wait_timeout_while(s, sleep, |s| !s.woken && !s.stopped)
                .unwrap_or_else(|p| p.into_inner());
            if s.stopped {
                return;
            }
            s.woken = false;
        }
    }
}

/// The soonest deadline of either kind.
fn soonest(
    service: &Service,
    caller: &Caller,
) -> sop_engine::Result<Option<chrono::DateTime<chrono::Utc>>> {
    let gate = service.next_gate_deadline()?;
    let run = service.next_run_deadline(caller)?;
    Ok(gate.into_iter().chain(run).min())
}

/// Applies whatever is due; how long to sleep before looking again (at once when something
/// moved, since more may be due).
fn apply(service: &Service, caller: &Caller) -> Duration {
    let gates = service.apply_gate_deadlines(caller).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "cannot apply gate deadlines");
        0
    });
    let runs = service.apply_run_deadlines(caller).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "cannot apply run deadlines");
        0
    });
    if gates > 0 {
        tracing::info!(runs = gates, "gate deadlines applied");
    }
    if runs > 0 {
        tracing::info!(runs, "runs timed out");
    }
    if gates + runs == 0 {
        RETRY_AFTER
    } else {
        Duration::ZERO
    }
}
