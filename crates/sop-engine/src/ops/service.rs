//! [`Service`]: what every operation needs, shared by all callers of one process.

use super::Caller;
use crate::engine::{Engine, Tracked, driver};
use crate::{Clock, Settings};
use sop_core::run::Action;
use sop_store::Store;
use std::sync::Arc;

/// The store, the settings and the clock of one process. Cheap to clone; safe to share
/// between threads, each driving its own runs.
#[derive(Clone)]
pub struct Service {
    settings: Arc<Settings>,
    store: Arc<dyn Store>,
    clock: Clock,
}

impl Service {
    pub fn new(settings: Settings, store: Arc<dyn Store>, clock: Clock) -> Self {
        Service {
            settings: Arc::new(settings),
            store,
            clock,
        }
    }

    /// Opens the store the settings name, with the clock they allow.
    pub fn open(settings: Settings) -> crate::Result<Self> {
        let store: Arc<dyn Store> = Arc::from(settings.open_store()?);
        let clock = Clock::from_settings(&settings)?;
        Ok(Self::new(settings, store, clock))
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The store as a shared handle, for a thread of its own (the notification sender).
    pub fn shared_store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// The engine acting for `caller`.
    pub fn engine<'a>(&'a self, caller: &Caller<'a>) -> crate::Result<Engine<'a>> {
        Ok(Engine::new(
            &self.settings,
            self.store.as_ref(),
            self.clock,
            caller.actor.clone(),
            caller.events,
        )?
        .with_stop(caller.stop.clone())
        .with_owner(caller.owner.clone())
        .with_client(caller.client.clone())
        .handing_off(caller.hand_off))
    }

    /// The run `id` names (a full id or a unique prefix), recovered if its process died and
    /// with the deadline of the gate it waits at applied.
    pub fn load_run(&self, caller: &Caller, id: &str) -> crate::Result<Tracked> {
        self.engine(caller)?.load(id)
    }

    /// Drives `t` from `action` in this thread until it finishes or waits for someone.
    pub fn drive(&self, caller: &Caller, t: &mut Tracked, action: Action) -> crate::Result<()> {
        driver::drive(&self.engine(caller)?, t, action)
    }

    /// Drives the run `id` if it is ready to go on (pending, or left by a process that died).
    pub fn drive_run(&self, caller: &Caller, id: &str) -> crate::Result<Tracked> {
        let mut t = self.load_run(caller, id)?;
        if let Some(action) = self.resume_action(caller, &mut t)? {
            self.drive(caller, &mut t, action)?;
        }
        Ok(t)
    }
}
