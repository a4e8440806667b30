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

    /// A server alive on this database: heartbeat recent, not stopped, and — when it ran on
    /// this host — its process still there (a `kill -9` is noticed at once).
    pub fn live_server(&self) -> crate::Result<Option<ServerBeat>> {
        let since = self.clock().now() - ALIVE_WITHIN;
        let host = lease::hostname();
        Ok(self
            .store()
            .live_servers(since)?
            .into_iter()
            .find(|s| s.host != host || process_exists(s.pid)))
    }

    /// The runs a server should drive now, oldest first: pending runs nobody holds, after
    /// recovering those whose lease lapsed (an idempotent step's run becomes pending again; any
    /// other waits for a person, as the CLI leaves it).
    pub fn runs_to_pick_up(&self, caller: &Caller) -> crate::Result<Vec<(String, DateTime<Utc>)>> {
        let now = self.clock().now();
        let mut out = Vec::new();
        for c in self.store().pickup_candidates(SWEEP_LIMIT)? {
            let free = c.lease_owner.is_none();
            if c.status == RunStatus::Pending && free {
                out.push((c.id, c.created_at));
                continue;
            }
            let run = self.store().run(&c.id)?;
            let unowned_running = free && run.status == RunStatus::Running;
            if !unowned_running && !lease::lapsed(&run, &caller.owner, now) {
                continue;
            }
            // Loading recovers the run: its lapsed lease is taken over and released.
            match self.load_run(caller, &c.id) {
                Ok(t) if t.run.status == RunStatus::Pending && t.run.lease_owner.is_none() => {
                    out.push((c.id, c.created_at))
                }
                Ok(_) => {}
                // Another process recovered it first, or it changed meanwhile: next sweep.
                Err(e) if e.kind == crate::ErrorKind::Conflict => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The soonest deadline of any open gate (what a server's deadline timer sleeps until).
    pub fn next_gate_deadline(&self) -> crate::Result<Option<DateTime<Utc>>> {
        Ok(self
            .store()
            .open_gates()?
            .iter()
            .filter_map(|g| g.expires_at)
            .min())
    }

    /// Applies every gate deadline that has passed (failing closed, audited); returns how many
    /// runs it moved.
    pub fn apply_gate_deadlines(&self, caller: &Caller) -> crate::Result<usize> {
        crate::approval::expiry::sweep(&self.engine(caller)?)
    }

    /// Applies gate deadlines and forgets delivery keys and heartbeats past their time.
    pub fn housekeeping(&self, caller: &Caller) -> crate::Result<()> {
        crate::approval::expiry::sweep(&self.engine(caller)?)?;
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
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is delivered.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// How many runs each SOP has in each status (by SOP, then status).
pub type RunCounts = Vec<(String, RunStatus, u64)>;

impl Service {
    /// How many runs each SOP has in each status, and how many gates are open.
    pub fn run_counts(&self) -> crate::Result<(RunCounts, usize)> {
        Ok((self.store().run_counts()?, self.store().open_gates()?.len()))
    }
}
