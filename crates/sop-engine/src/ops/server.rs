//! What a server records and sweeps: its heartbeat (so other processes know one is alive),
//! the runs it should pick up (pending, or left by a process that died), and housekeeping
//! (gate deadlines, old delivery keys, old heartbeats).

use super::{Caller, Service};
use crate::engine::lease;
use chrono::{DateTime, TimeDelta, Utc};
use sop_core::run::RunStatus;
use sop_store::{ServerBeat, StoreExt};
use std::time::Duration;

/// How often a live server records its heartbeat.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);

/// A server whose last heartbeat is older than this is taken for gone.
const ALIVE_WITHIN: TimeDelta = TimeDelta::seconds(10);

/// Delivery keys are remembered this long.
pub const DELIVERY_WINDOW: TimeDelta = TimeDelta::hours(24);

/// Heartbeats of servers gone this long are removed.
const FORGET_SERVERS_AFTER: TimeDelta = TimeDelta::days(1);

/// At most this many candidates are looked at per sweep; the rest wait for the next one.
const SWEEP_LIMIT: u32 = 10_000;

/// One server process, as its heartbeat records it.
#[derive(Debug, Clone)]
pub struct ServerIdentity {
    /// `host/pid/nonce`, like a lease owner.
    pub id: String,
    pub listen: String,
    pub started_at: DateTime<Utc>,
}

impl ServerIdentity {
    pub fn new(listen: String, started_at: DateTime<Utc>) -> Self {
        ServerIdentity {
            id: lease::new_owner(),
            listen,
            started_at,
        }
    }

    fn beat(&self, now: DateTime<Utc>, stopped: bool) -> ServerBeat {
        ServerBeat {
            id: self.id.clone(),
            host: lease::hostname(),
            pid: std::process::id(),
            listen: self.listen.clone(),
            started_at: self.started_at,
            heartbeat_at: now,
            stopped_at: stopped.then_some(now),
        }
    }
}

impl Service {
    /// Records that `server` is alive now.
    pub fn server_heartbeat(&self, server: &ServerIdentity) -> crate::Result<()> {
        let beat = server.beat(self.clock().now(), false);
        Ok(self.store().transaction(|tx| tx.server_beat(&beat))?)
    }

    /// Records that `server` stopped cleanly.
    pub fn server_stopped(&self, server: &ServerIdentity) -> crate::Result<()> {
        let beat = server.beat(self.clock().now(), true);
        Ok(self.store().transaction(|tx| tx.server_beat(&beat))?)
    }

    /// The servers alive on this database: heartbeat recent, not stopped, and — when one ran
    /// on this host — its process still there (a `kill -9` is noticed at once). With several
    /// nodes, any of them may pick up a run left pending.
    pub fn live_servers(&self) -> crate::Result<Vec<ServerBeat>> {
        let since = self.clock().now() - ALIVE_WITHIN;
        let host = lease::hostname();
        Ok(self
            .store()
            .live_servers(since)?
            .into_iter()
            .filter(|s| s.host != host || process_exists(s.pid))
            .collect())
    }

    /// Recovers the runs whose lease lapsed (an idempotent step's run becomes pending again,
    /// to be claimed; any other waits for a person, as the CLI leaves it), and says when to
    /// look again: the soonest time a lease held by another process runs out.
    pub fn recover_lapsed(&self, caller: &Caller) -> crate::Result<Option<DateTime<Utc>>> {
        let now = self.clock().now();
        let mut next_lapse: Option<DateTime<Utc>> = None;
        for c in self.store().pickup_candidates(SWEEP_LIMIT)? {
            let Some(owner) = c.lease_owner.as_deref() else {
                if c.status != RunStatus::Running {
                    continue;
                }
                // Running with nobody holding it: a process died between two commits.
                self.recover_one(caller, &c.id)?;
                continue;
            };
            if owner == caller.owner {
                continue;
            }
            let expired = c.lease_expires_at.is_none_or(|t| t <= now);
            if !expired && !lease::owner_is_gone(owner) {
                // This process's own drivers renew their leases; the safety sweep covers one
                // that stopped.
                if let Some(t) = c
                    .lease_expires_at
                    .filter(|_| !lease::is_this_process(owner))
                {
                    next_lapse = Some(next_lapse.map_or(t, |n| n.min(t)));
                }
                continue;
            }
            self.recover_one(caller, &c.id)?;
        }
        Ok(next_lapse)
    }

    /// Loading recovers the run: its lapsed lease is taken over and released.
    fn recover_one(&self, caller: &Caller, id: &str) -> crate::Result<()> {
        match self.load_run(caller, id) {
            Ok(_) => Ok(()),
            // Another process recovered it first, or it changed meanwhile: next sweep.
            Err(e) if e.kind == crate::ErrorKind::Conflict => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Claims the oldest pending run nobody holds for `owner`, leased for the lease's time;
    /// its id, or `None` when no run waits. Drive it with a caller of that owner.
    pub fn claim_pending(&self, caller: &Caller, owner: &str) -> crate::Result<Option<String>> {
        let until = self.clock().now() + self.engine(caller)?.tuning.lease_ttl();
        Ok(self
            .store()
            .transaction(|tx| tx.claim_pending_run(owner, until))?)
    }

    /// Gives up `owner`'s lease of run `id` (a claim that could not be driven); false if
    /// `owner` did not hold it.
    pub fn let_go(&self, id: &str, owner: &str) -> crate::Result<bool> {
        Ok(self.store().transaction(|tx| tx.release_lease(id, owner))?)
    }

    /// A listener that wakes when a run may be ready to claim.
    pub fn ready_listener(&self) -> crate::Result<Box<dyn sop_store::ReadyListener>> {
        Ok(self.store().ready_listener()?)
    }

    /// The soonest deadline of any open gate (what a server's deadline timer sleeps until).
    pub fn next_gate_deadline(&self) -> crate::Result<Option<DateTime<Utc>>> {
        Ok(self.store().soonest_gate_expiry()?)
    }

    /// Applies every gate deadline that has passed (failing closed, audited); returns how many
    /// runs it moved.
    pub fn apply_gate_deadlines(&self, caller: &Caller) -> crate::Result<usize> {
        crate::approval::expiry::sweep(&self.engine(caller)?)
    }

    /// The soonest instant at which a run's `timeout` is due to be applied by a process that
    /// does not drive it (what a server's deadline timer also sleeps until).
    pub fn next_run_deadline(&self, caller: &Caller) -> crate::Result<Option<DateTime<Utc>>> {
        crate::engine::run_deadline::next_due(&self.engine(caller)?)
    }

    /// Times out every run whose deadline is due and that no live process drives (or whose
    /// driver is well late); returns how many runs it moved.
    pub fn apply_run_deadlines(&self, caller: &Caller) -> crate::Result<usize> {
        crate::engine::run_deadline::sweep(&self.engine(caller)?)
    }

    /// Applies gate deadlines and run timeouts, and forgets delivery keys and heartbeats past
    /// their time.
    pub fn housekeeping(&self, caller: &Caller) -> crate::Result<()> {
        let eng = self.engine(caller)?;
        crate::approval::expiry::sweep(&eng)?;
        crate::engine::run_deadline::sweep(&eng)?;
        let now = self.clock().now();
        self.store().transaction(|tx| {
            tx.forget_deliveries(now - DELIVERY_WINDOW)?;
            tx.forget_servers(now - FORGET_SERVERS_AFTER)?;
            Ok(())
        })?;
        Ok(())
    }
}

fn process_exists(pid: u32) -> bool {
    i32::try_from(pid).is_ok_and(|pid| !crate::engine::lease::process_gone(pid))
}

impl Service {
    /// The live `sop serve` nodes on this database, oldest first, each with the runs whose
    /// lease one of its drivers holds.
    pub fn nodes(&self) -> crate::Result<Vec<crate::documents::NodeDocument>> {
        use crate::documents::NodeDocument;
        let now = self.clock().now();
        let live = self.store().live_servers(now - ALIVE_WITHIN)?;
        let here = lease::hostname();
        let live: Vec<ServerBeat> = live
            .into_iter()
            .filter(|s| s.host != here || process_exists(s.pid))
            .collect();
        let leased: Vec<(String, String)> = self
            .store()
            .pickup_candidates(SWEEP_LIMIT)?
            .into_iter()
            .filter(|c| !c.status.is_terminal())
            .filter_map(|c| c.lease_owner.map(|o| (c.id, o)))
            .collect();
        Ok(live
            .iter()
            .map(|beat| {
                let runs = leased
                    .iter()
                    .filter(|(_, owner)| NodeDocument::drives(beat, owner))
                    .map(|(id, _)| id.clone())
                    .collect();
                NodeDocument::new(beat, runs, now)
            })
            .collect())
    }
}

/// How many runs each SOP has in each status (by SOP, then status).
pub type RunCounts = Vec<(String, RunStatus, u64)>;

impl Service {
    /// How many runs each SOP has in each status, and how many gates are open.
    pub fn run_counts(&self) -> crate::Result<(RunCounts, usize)> {
        Ok((self.store().run_counts()?, self.store().open_gates()?.len()))
    }
}
