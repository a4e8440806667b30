//! The cron scheduler: one thread that sleeps until just before the next due tick of any cron
//! trigger the server serves (never polling by the second), then hands each due tick to the
//! operations in `sop_engine::ops` (fire, skip for overlap, catch up, record missed) and the run
//! to the dispatcher, which starts its first step at the tick. A reload of the SOPs wakes it, so
//! schedules follow the files.

mod fire;
mod timeline;
mod triggers;

use crate::state::App;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use timeline::Timeline;
use triggers::TriggerCache;

/// While a tick waits in a queue (`overlap = "queue"`), the run it waits for is looked at this
/// often; with nothing queued the scheduler sleeps until the next tick.
const QUEUE_CHECK_EVERY: Duration = Duration::from_millis(500);

/// How long before a tick the scheduler wakes to decide it and record its run, so that the
/// run's first step starts at the tick itself rather than after the reads, the planning and the
/// durable commit. The run's conditions are read as of the tick; its first step waits for it.
const LEAD: Duration = Duration::from_millis(20);

/// The longest single sleep: a clock stepped by the system is noticed within this.
const LONGEST_SLEEP: Duration = Duration::from_secs(60);

/// Wakes the scheduler (after a reload); dropping every handle stops it.
#[derive(Clone)]
pub struct Waker {
    tx: Arc<Mutex<Option<Sender<()>>>>,
}

impl Waker {
    pub fn wake(&self) {
        if let Ok(tx) = self.tx.lock()
            && let Some(tx) = tx.as_ref()
        {
            let _ = tx.send(());
        }
    }

    /// Stops the scheduler at its next wake-up.
    pub fn stop(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
    }
}

/// A channel to wake the scheduler and the end the scheduler thread listens on.
pub fn channel_pair() -> (Waker, Receiver<()>) {
    let (tx, rx) = channel();
    (
        Waker {
            tx: Arc::new(Mutex::new(Some(tx))),
        },
        rx,
    )
}

/// Runs until the [`Waker`]'s sender is gone.
pub fn run(app: Arc<App>, wake: Receiver<()>) {
    let mut timeline = Timeline::default();
    let mut cache = TriggerCache::default();
    loop {
        let sleep = match fire::due(&app, &mut timeline, &mut cache) {
            Ok(sleep) => sleep,
            Err(e) => {
                tracing::warn!(error = %e, "the scheduler could not handle due ticks");
                QUEUE_CHECK_EVERY
            }
        };
        match wake.recv_timeout(sleep.min(LONGEST_SLEEP)) {
            Ok(()) => while wake.try_recv().is_ok() {},
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}
