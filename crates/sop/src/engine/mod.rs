//! The run engine: creates runs, advances them step by step under a lease, recovers runs whose
//! process died, and records every transition with its audit entry in one store transaction.
//!
//! The rules live in the pure [`sop_core::run::next`]; this module gathers its inputs (the
//! store, the definition snapshot, the clock), applies its decisions, and runs the steps.
//!
//! - [`create::create`] records a new run (and starts it) from `sop execute`.
//! - [`Tracked::load`] reads a run; [`recovery::recover`] takes over one left behind.
//! - [`commit::commit`] applies one event (pause, cancel, done, ...) as one transaction.
//! - [`driver::drive`] runs steps while this process holds the lease.

pub mod audit;
pub mod change;
pub mod commit;
pub mod create;
pub mod driver;
pub mod dry_run;
pub mod exit_code;
pub mod gates;
pub mod identity;
pub mod json;
pub mod lease;
pub mod live;
pub mod lookup;
pub mod progress;
pub mod recovery;
pub mod redact;
pub mod report;
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
pub use exit_code::exit_code;
pub use progress::Progress;
pub use settings::EngineSettings;
pub use tracked::Tracked;

use crate::clock::Clock;
use crate::config::Context;
use sop_store::Store;

/// What every engine operation needs: where state lives, the time, the settings, and who acts.
pub struct Engine<'a> {
    /// Settings from flags and the environment (the SOP directory, ...).
    pub ctx: &'a Context,
    pub store: &'a dyn Store,
    pub clock: Clock,
    pub settings: EngineSettings,
    /// The person this command acts for (`--as`, `SOP_USER`, the OS user).
    pub actor: String,
    pub out: Progress,
}

impl<'a> Engine<'a> {
    /// The engine for one command, with settings from the environment.
    pub fn new(
        ctx: &'a Context,
        store: &'a dyn Store,
        actor: String,
        out: Progress,
    ) -> anyhow::Result<Self> {
        Ok(Engine {
            ctx,
            store,
            clock: Clock::from_env()?,
            settings: EngineSettings::from_env()?,
            actor,
            out,
        })
    }

    /// Reads a run by id or unique prefix, recovers it if its process died, and applies the
    /// deadline of a gate it waits at.
    pub fn load(&self, id: &str) -> anyhow::Result<Tracked> {
        let mut t = Tracked::load(self, id)?;
        recovery::recover(self, &mut t)?;
        crate::approval::expiry::apply(self, &mut t)?;
        Ok(t)
    }
}
