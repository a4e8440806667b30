//! The server's background duties on a blocking thread of their own: record its heartbeat,
//! pick up runs that are pending (`sop execute --detach`, approvals and hand-offs recorded
//! elsewhere) or whose process died, apply gate deadlines, and forget old delivery keys.

use crate::dispatcher::SERVER_ACTOR;
use crate::state::App;
use sop_engine::Caller;
use sop_engine::ops::HEARTBEAT_EVERY;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How often pending and abandoned runs are looked for.
pub const SWEEP_EVERY: Duration = Duration::from_millis(500);

/// How often old keys are forgotten (and gate deadlines checked, behind the deadline timer).
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(30);

/// Runs until `stop` receives (or its sender is dropped).
pub fn run(app: Arc<App>, stop: Receiver<()>) {
    let caller = Caller::quiet(SERVER_ACTOR);
    let mut last_beat = Instant::now();
    let mut last_housekeeping: Option<Instant> = None;
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
        sweep(&app, &caller);
        match stop.recv_timeout(SWEEP_EVERY) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return,
        }
    }
}

/// Queues every run that is ready for a server.
pub fn sweep(app: &App, caller: &Caller) {
    if app.draining() {
        return;
    }
    match app.service.runs_to_pick_up(caller) {
        Ok(runs) => {
            for (id, created_at) in runs {
                if !app.dispatcher.knows(&id) {
                    app.dispatcher.enqueue(id, created_at);
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot look for pending runs"),
    }
}
