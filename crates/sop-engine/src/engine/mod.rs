//! The run engine: creates runs, advances them step by step under a lease, recovers runs whose
//! process died, and records every transition with its audit entry in one store transaction.
//!
//! The rules live in the pure [`sop_core::run::next`]; this module gathers its inputs (the
//! store, the definition snapshot, the clock), applies its decisions, and runs the steps.
//!
//! - [`create::create`] records a new run (and starts it).
//! - [`Tracked::load`] reads a run; [`recovery::recover`] takes over one left behind.
//! - [`commit::commit`] applies one event (pause, cancel, done, ...) as one transaction.
//! - [`driver::drive`] runs steps while this process holds the lease.
//! - [`queue`] moves a queued run up when a run of its SOP ends, and starts it.

pub mod audit_entries;
pub mod change;
pub mod commit;
pub mod create;
pub mod dir_pool;
pub mod driver;
pub mod gates;
pub mod handoff;
pub mod identity;
pub mod launch;
pub mod lease;
pub mod lookup;
pub mod queue;
pub mod recovery;
pub mod redact;
pub mod run_deadline;
pub mod settings;
pub mod snapshot;
pub mod step_condition;
pub mod step_watch;
pub mod trace;
pub mod tracked;
pub mod view;
pub mod workdir;

pub use change::{Change, LeaseUse, StepRecord};
pub use commit::commit;
pub use dir_pool::DirPool;
pub use settings::EngineSettings;
pub use tracked::Tracked;

use crate::catalog::ParseCache;
use crate::executor::LeaderPool;
use crate::{Clock, RunEvents, Settings, StopSignal};
use sop_store::Store;

/// What every engine operation needs: where state lives, the time, the settings, who acts, and
/// who watches.
pub struct Engine<'a> {
    pub settings: &'a Settings,
    pub store: &'a dyn Store,
    pub clock: Clock,
    /// Lease and execution tunables, parsed from `settings`.
    pub tuning: EngineSettings,
    /// The person this operation acts for.
    pub actor: String,
    /// Who is told about the run's progress.
    pub events: &'a dyn RunEvents,
    /// Set when whoever owns this driver wants it to let go of the run.
    pub stop: StopSignal,
    /// The name this driver holds leases under (`host/pid/nonce`).
    pub owner: String,
    /// The program the actor acts through (`mcp:claude-desktop`), recorded as `client` in the
    /// detail of the audit entries this engine writes; `None` for a person at the CLI.
    pub client: Option<String>,
    /// Leave a run this operation hands on `pending` for a server (see [`handoff`]).
    pub hand_off: bool,
    /// Group leaders made ahead, taken by a run's first attempt (see [`launch`]).
    pub leaders: Option<&'a LeaderPool>,
    /// Directories finished runs left for later ones (a server's; see [`dir_pool`]).
    pub dirs: Option<&'a DirPool>,
    /// Definitions parsed before, by their text: a server picking up a queued run parses the
    /// same snapshot its creation just parsed.
    pub parsed: Option<&'a ParseCache>,
    /// No step process starts before this instant (a cron run recorded ahead of its tick).
    pub not_before: Option<std::time::Instant>,
    /// A server's SOPs: every webhook secret they name is kept from every run's steps.
    pub live: Option<&'a crate::catalog::LiveCatalog>,
}

impl<'a> Engine<'a> {
    /// The engine for one operation, holding leases under `owner` (`host/pid/nonce`).
    pub fn new(
        settings: &'a Settings,
        store: &'a dyn Store,
        clock: Clock,
        actor: String,
        events: &'a dyn RunEvents,
        owner: String,
    ) -> crate::Result<Self> {
        Ok(Engine {
            settings,
            store,
            clock,
            tuning: EngineSettings::load(settings)?,
            actor,
            events,
            stop: StopSignal::new(),
            owner,
            client: None,
            hand_off: false,
            leaders: None,
            dirs: None,
            parsed: None,
            not_before: None,
            live: None,
        })
    }

    /// The same engine, letting go of runs when `stop` is requested.
    pub fn with_stop(mut self, stop: StopSignal) -> Self {
        self.stop = stop;
        self
    }

    /// The same engine, acting through the program `client`.
    pub fn with_client(mut self, client: Option<String>) -> Self {
        self.client = client;
        self
    }

    /// `event` with the client the actor acts through added to its detail, so the trail says
    /// both who decided and through what.
    pub fn stamp(&self, mut event: sop_store::AuditEvent) -> sop_store::AuditEvent {
        if let (Some(client), Some(detail)) = (&self.client, event.detail.as_object_mut()) {
            detail.insert("client".into(), client.as_str().into());
        }
        event
    }

    /// The same engine, starting no step process before `at`.
    pub fn not_before(mut self, at: Option<std::time::Instant>) -> Self {
        self.not_before = at;
        self
    }

    /// The same engine, taking group leaders from `leaders` when a run has no spare one.
    pub fn with_leaders(mut self, leaders: Option<&'a LeaderPool>) -> Self {
        self.leaders = leaders;
        self
    }

    /// The same engine, keeping the webhook secrets of every SOP in `live` from steps.
    pub fn with_live(mut self, live: Option<&'a crate::catalog::LiveCatalog>) -> Self {
        self.live = live;
        self
    }

    /// The same engine, reusing the directories finished runs left in `dirs`.
    pub fn with_dirs(mut self, dirs: Option<&'a DirPool>) -> Self {
        self.dirs = dirs;
        self
    }

    /// The same engine, parsing run snapshots through `parsed`.
    pub fn with_parse_cache(mut self, parsed: Option<&'a ParseCache>) -> Self {
        self.parsed = parsed;
        self
    }

    /// The same engine, leaving runs it hands on to a server when `hand_off`.
    pub fn handing_off(mut self, hand_off: bool) -> Self {
        self.hand_off = hand_off;
        self
    }

    /// Reads a run by id or unique prefix, recovers it if its process died, and applies the
    /// deadline of a gate it waits at.
    pub fn load(&self, id: &str) -> crate::Result<Tracked> {
        let mut t = Tracked::load(self, id)?;
        recovery::recover(self, &mut t)?;
        crate::approval::expiry::apply(self, &mut t)?;
        run_deadline::apply(self, &mut t)?;
        Ok(t)
    }
}
