//! The bounded pool that drives runs: each active run on its own blocking thread, at most
//! `workers` at once; runs beyond that wait as `pending` and start in creation order. A thread
//! that let go of its run stays parked for the next ([`ParkedThreads`]).
//!
//! A start that finds a free place reserves it ([`Dispatcher::try_reserve`]) before recording
//! the run, so the run starts in the same transaction that creates it and is handed to its
//! thread at once; one that finds none records the run `pending` and queues it. A thread that
//! finishes a run takes the oldest queued one, else claims the oldest pending run of the
//! store (any server's), before it exits. Servers sharing a database claim runs
//! ([`Dispatcher::claim_ready`]): a claim takes the run's lease, so each run is driven by one.

use crate::deadline_timer::DeadlineTimer;
use crate::events::ServerEvents;
use crate::live_output::LiveOutput;
use crate::metrics::Metrics;
use crate::parked_threads::ParkedThreads;
use chrono::{DateTime, Utc};
use sop_core::run::{Action, RunStatus};
use sop_engine::engine::Tracked;
use sop_engine::{Caller, ErrorKind, Service, StopSignal};
use std::collections::{BTreeSet, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The actor of what the server does on its own (picking up a pending run).
pub const SERVER_ACTOR: &str = "sop-server";

#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    service: Service,
    workers: usize,
    stop: StopSignal,
    metrics: Arc<Metrics>,
    /// Told whenever a thread lets go of a run, which may be waiting at a new gate.
    timer: Arc<DeadlineTimer>,
    live: Arc<LiveOutput>,
    /// The threads runs are driven on, parked between runs.
    threads: ParkedThreads,
    state: Mutex<State>,
    idle: Condvar,
}

#[derive(Default)]
struct State {
    /// Places taken: runs being driven and reservations.
    busy: usize,
    queue: BTreeSet<(DateTime<Utc>, String)>,
    queued: HashSet<String>,
    active: HashSet<String>,
    closed: bool,
}

enum Job {
    /// A run this server just started or handed on, with the action to go on with.
    Continue {
        tracked: Box<Tracked>,
        action: Action,
        owner: String,
        actor: String,
        /// A cron tick recorded ahead of its instant: nothing of the run starts before it.
        not_before: Option<Instant>,
    },
    /// A pending run: take it and drive it.
    Resume(String),
    /// A pending run this server claimed (its lease is `owner`'s): drive it.
    Claimed { id: String, owner: String },
}

/// A place in the pool, taken before a run is recorded. Dropped unused, it is given back.
pub struct Slot {
    inner: Arc<Inner>,
    /// The lease owner the run must be started under, so its thread holds the lease.
    pub owner: String,
    used: bool,
}

impl Dispatcher {
    pub fn new(
        service: Service,
        workers: usize,
        metrics: Arc<Metrics>,
        timer: Arc<DeadlineTimer>,
        live: Arc<LiveOutput>,
    ) -> Self {
        Dispatcher {
            inner: Arc::new(Inner {
                service,
                workers,
                stop: StopSignal::new(),
                metrics,
                timer,
                live,
                threads: ParkedThreads::new("sop-run"),
                state: Mutex::new(State::default()),
                idle: Condvar::new(),
            }),
        }
    }

    /// A free place, unless the pool is full, closed, or older runs wait for one.
    pub fn try_reserve(&self) -> Option<Slot> {
        let mut s = self.inner.lock();
        if s.closed || s.busy >= self.inner.workers || !s.queue.is_empty() {
            return None;
        }
        s.busy += 1;
        self.inner.publish(&s);
        Some(Slot {
            inner: Arc::clone(&self.inner),
            owner: sop_engine::engine::lease::new_owner(),
            used: false,
        })
    }

    /// Claims pending runs from the store, oldest first, while places are free: each claim
    /// takes one run's lease, so servers sharing a database never drive the same run.
    pub fn claim_ready(&self) {
        while let Some(slot) = self.try_reserve() {
            match Inner::claim(&self.inner, &slot.owner) {
                Some(id) => slot.drive_claimed(id),
                None => break,
            }
        }
    }

    /// Queues a pending run (once, however often it is named) and starts what fits.
    pub fn enqueue(&self, id: String, created_at: DateTime<Utc>) {
        let mut s = self.inner.lock();
        if s.closed || s.active.contains(&id) || s.queued.contains(&id) {
            return;
        }
        s.queued.insert(id.clone());
        s.queue.insert((created_at, id));
        Inner::pump(&self.inner, &mut s);
    }

    /// Has every run start no new step: one whose step ends is left `pending` at the next.
    pub fn drain(&self) {
        self.inner.stop.drain();
    }

    /// Takes no more work; queued runs stay `pending` in the store for the next server, and a
    /// run whose step ends from now on is left `pending` at its next step.
    pub fn close(&self) {
        self.drain();
        let mut s = self.inner.lock();
        s.closed = true;
        s.queue.clear();
        s.queued.clear();
        self.inner.publish(&s);
    }

    /// Asks every thread to let go of its run now (the step is stopped, the run left as a
    /// crash would leave it, with the signal recorded).
    pub fn interrupt(&self, signal: i32) {
        self.inner.stop.request(signal);
    }

    /// Waits until no run is driven, at most `timeout`; true when idle.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut s = self.inner.lock();
        while s.busy > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            s = self
                .inner
                .idle
                .wait_timeout(s, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        true
    }
}

impl Slot {
    /// Drives `tracked` from `action` on a thread of its own.
    pub fn drive(self, tracked: Tracked, action: Action, actor: String) {
        self.drive_at(tracked, action, actor, None);
    }

    /// [`Slot::drive`], its first step not started before `not_before` (a cron tick recorded
    /// ahead of its instant).
    pub fn drive_at(
        mut self,
        tracked: Tracked,
        action: Action,
        actor: String,
        not_before: Option<Instant>,
    ) {
        self.used = true;
        let id = tracked.id().to_string();
        let job = Job::Continue {
            tracked: Box::new(tracked),
            action,
            owner: self.owner.clone(),
            actor,
            not_before,
        };
        {
            let mut s = self.inner.lock();
            s.active.insert(id);
        }
        Inner::spawn(&self.inner, job);
    }
}

impl Slot {
    /// Drives the run this slot's owner claimed, on a thread of its own.
    fn drive_claimed(mut self, id: String) {
        self.used = true;
        {
            let mut s = self.inner.lock();
            s.active.insert(id.clone());
        }
        let owner = self.owner.clone();
        Inner::spawn(&self.inner, Job::Claimed { id, owner });
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if !self.used {
            let mut s = self.inner.lock();
            s.busy -= 1;
            Inner::pump(&self.inner, &mut s);
            self.inner.idle.notify_all();
        }
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic never happens while the lock is held; a poisoned lock still holds sound
        // counts.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn publish(&self, s: &State) {
        self.metrics.set_pool(s.busy, self.workers, s.queue.len());
    }

    /// Starts queued runs while places are free.
    fn pump(this: &Arc<Inner>, s: &mut State) {
        while !s.closed && s.busy < this.workers {
            let Some((_, id)) = s.queue.pop_first() else {
                break;
            };
            s.queued.remove(&id);
            s.active.insert(id.clone());
            s.busy += 1;
            Inner::spawn(this, Job::Resume(id));
        }
        this.publish(s);
    }

    /// Claims the oldest pending run for `owner`; `None` when none waits or the store fails.
    fn claim(this: &Arc<Inner>, owner: &str) -> Option<String> {
        if this.stop.requested().is_some() {
            return None;
        }
        let caller = Caller::quiet(SERVER_ACTOR);
        match this.service.claim_pending(&caller, owner) {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim a pending run");
                None
            }
        }
    }

    fn spawn(this: &Arc<Inner>, job: Job) {
        let inner = Arc::clone(this);
        if let Err(e) = this.threads.run(move || inner.work(job)) {
            tracing::error!(error = %e, "cannot start a thread to drive a run; it stays pending");
            let mut s = this.lock();
            s.busy -= 1;
            this.idle.notify_all();
        }
    }

    /// Drives `job`, then the oldest queued run, until none waits.
    fn work(self: Arc<Self>, mut job: Job) {
        loop {
            let id = match &job {
                Job::Continue { tracked, .. } => tracked.id().to_string(),
                Job::Resume(id) | Job::Claimed { id, .. } => id.clone(),
            };
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| self.run(job)));
            // A run let go unfinished may wait at a gate with a deadline; one that finished
            // has none left, and looking again for each would cost a busy server two reads a
            // run.
            if !matches!(&outcome, Ok(Ok(Some(status))) if status.is_terminal()) {
                self.timer.wake();
            }
            match outcome {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(run = %id, error = %e, "driving the run stopped"),
                Err(_) => {
                    tracing::error!(run = %id, "driving the run panicked; it is recovered on the next sweep")
                }
            }
            let mut s = self.lock();
            s.active.remove(&id);
            let next = if s.closed { None } else { s.queue.pop_first() };
            let claimed = match (&next, s.closed) {
                (None, false) => {
                    // Nothing queued here: the oldest run waiting for any server, if one does.
                    drop(s);
                    let owner = sop_engine::engine::lease::new_owner();
                    let claimed = Inner::claim(&self, &owner).map(|id| (id, owner));
                    s = self.lock();
                    claimed
                }
                _ => None,
            };
            if let Some((id, owner)) = claimed {
                s.active.insert(id.clone());
                self.publish(&s);
                job = Job::Claimed { id, owner };
                continue;
            }
            match next {
                Some((_, next)) => {
                    s.queued.remove(&next);
                    s.active.insert(next.clone());
                    self.publish(&s);
                    job = Job::Resume(next);
                }
                None => {
                    s.busy -= 1;
                    self.publish(&s);
                    self.idle.notify_all();
                    return;
                }
            }
        }
    }

    /// Whether run `id` is no longer `pending`.
    fn left_pending(&self, id: &str) -> bool {
        self.service
            .store()
            .run(id)
            .is_ok_and(|r| r.status != RunStatus::Pending)
    }

    /// Drives `job`; the status the run was let go in, if this thread drove it.
    fn run(&self, job: Job) -> sop_engine::Result<Option<RunStatus>> {
        let events = ServerEvents::new(&self.metrics, &self.live);
        match job {
            Job::Continue {
                mut tracked,
                action,
                owner,
                actor,
                not_before,
            } => {
                let caller = Caller::owning(actor, &events, Some(owner))
                    .with_stop(self.stop.clone())
                    .not_before(not_before);
                self.service.drive(&caller, &mut tracked, action)?;
                self.metrics
                    .run_settled(&tracked.run.sop_name, tracked.run.status);
                Ok(Some(tracked.run.status))
            }
            Job::Resume(id) => {
                if self.stop.requested().is_some() {
                    return Ok(None);
                }
                let caller = Caller::new(SERVER_ACTOR, &events).with_stop(self.stop.clone());
                match self.service.drive_run(&caller, &id) {
                    Ok(t) => {
                        self.metrics.run_settled(&t.run.sop_name, t.run.status);
                        Ok(Some(t.run.status))
                    }
                    // Between leaving this server's queue and now, the run was claimed from
                    // the store by another of its threads (one with nothing queued) or
                    // another server, or cancelled: nothing went wrong.
                    Err(e) if e.kind == ErrorKind::Conflict && self.left_pending(&id) => {
                        tracing::debug!(run = %id, "the run was taken up before this thread took it");
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
            Job::Claimed { id, owner } => {
                let caller = Caller::owning(SERVER_ACTOR, &events, Some(owner.clone()))
                    .with_stop(self.stop.clone());
                match self.service.drive_run(&caller, &id) {
                    Ok(t) => {
                        self.metrics.run_settled(&t.run.sop_name, t.run.status);
                        Ok(Some(t.run.status))
                    }
                    Err(e) => {
                        // The claim's lease must not keep the run from others until it lapses.
                        let _ = self.service.let_go(&id, &owner);
                        Err(e)
                    }
                }
            }
        }
    }
}
