//! The server's background duties on a blocking thread of their own: record its heartbeat,
//! claim pending runs when the store says one became ready, recover runs whose process died,
//! apply gate deadlines, and forget old delivery keys.
//!
//! Waiting for work does not poll the database: on PostgreSQL the store's listener wakes the
//! sweeper when a run becomes ready (`LISTEN`/`NOTIFY`), and the full sweep (recovering lapsed
//! leases, then claiming) runs when the soonest lease held elsewhere runs out, and at least every
//! [`SAFETY_SWEEP`] as a safety net. SQLite notifies no other process: its listener wakes the
//! sweeper every 500 ms to claim, as servers on SQLite always looked.

use crate::dispatcher::SERVER_ACTOR;
use crate::state::App;
use chrono::{DateTime, Utc};
use sop_engine::Caller;
use sop_engine::ops::HEARTBEAT_EVERY;
use sop_store::ReadyListener;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

/// The longest time between two full sweeps: the net under notifications.
pub const SAFETY_SWEEP: Duration = Duration::from_secs(5);

/// The longest single wait, so that a stop request is noticed soon.
const WAIT_AT_MOST: Duration = Duration::from_millis(500);

/// A lease is looked at this long after it should have run out, so the owner's last renewal
/// and the clocks of two nodes have settled.
const LAPSE_MARGIN: Duration = Duration::from_millis(100);

/// How often old keys are forgotten (and gate deadlines checked, behind the deadline timer).
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(30);

/// Runs until `stop` receives (or its sender is dropped).
pub fn run(app: Arc<App>, stop: Receiver<()>) {
    let caller = Caller::quiet(SERVER_ACTOR);
    let mut listener: Option<Box<dyn ReadyListener>> = None;
    let mut last_beat = Instant::now();
    let mut last_housekeeping: Option<Instant> = None;
    let mut due = Instant::now();
    loop {
        if last_beat.elapsed() >= HEARTBEAT_EVERY {
            if let Err(e) = app.service.server_heartbeat(&app.server) {
                tracing::warn!(error = %e, "cannot record the heartbeat");
            }
            last_beat = Instant::now();
        }
        if last_housekeeping.is_none_or(|t| t.elapsed() >= HOUSEKEEPING_EVERY) {
            if let Err(e) = app.service.housekeeping(&caller) {
                tracing::warn!(error = %e, "housekeeping failed");
            }
            last_housekeeping = Some(Instant::now());
        }
        if listener.is_none() {
            // Listening starts before the sweep, so a run made ready meanwhile is heard.
            match app.service.ready_listener() {
                Ok(l) => listener = Some(l),
                Err(e) => tracing::warn!(error = %e, "cannot listen for ready runs"),
            }
        }
        if Instant::now() >= due {
            due = next_sweep(&app, sweep(&app, &caller));
        }
        match stop.try_recv() {
            Err(TryRecvError::Empty) => {}
            _ => return,
        }
        let wait = due
            .saturating_duration_since(Instant::now())
            .min(WAIT_AT_MOST);
        let woke = match listener.as_mut().map(|l| l.wait(wait)) {
            Some(Ok(woke)) => woke,
            failed => {
                if let Some(Err(e)) = failed {
                    tracing::warn!(error = %e, "lost the connection that listens for ready runs");
                    listener = None;
                }
                match stop.recv_timeout(wait.max(Duration::from_millis(50))) {
                    Err(RecvTimeoutError::Timeout) => {}
                    _ => return,
                }
                // Without a listener every wait ends in a look.
                true
            }
        };
        if woke && !app.draining() {
            app.dispatcher.claim_ready();
        }
    }
}

/// When to sweep next: when the soonest lease held elsewhere runs out, at the latest after
/// [`SAFETY_SWEEP`].
fn next_sweep(app: &App, next_lapse: Option<DateTime<Utc>>) -> Instant {
    let mut wait = SAFETY_SWEEP;
    if let Some(t) = next_lapse {
        let left = (t - app.service.clock().now()).to_std().unwrap_or_default();
        wait = wait.min(left + LAPSE_MARGIN);
    }
    Instant::now() + wait
}

/// Recovers runs whose process died and claims the ready ones; returns when the soonest lease
/// held by another process runs out.
pub fn sweep(app: &App, caller: &Caller) -> Option<DateTime<Utc>> {
    if app.draining() {
        return None;
    }
    let next_lapse = match app.service.recover_lapsed(caller) {
        Ok(next) => next,
        Err(e) => {
            tracing::warn!(error = %e, "cannot look for runs left by a process that died");
            None
        }
    };
    app.dispatcher.claim_ready();
    next_lapse
}
