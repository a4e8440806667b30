//! [`Service`]: what every operation needs, shared by all callers of one process.

use super::Caller;
use crate::catalog::ParseCache;
use crate::catalog::{GoodVersion, LiveCatalog};
use crate::engine::{DirPool, Engine, Tracked, driver};
use crate::executor::LeaderPool;
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
    /// SOPs parsed before, by their text: a long-lived process reads the same files often.
    parsed: Arc<ParseCache>,
    /// A server's SOPs as last reloaded: the fallback for an SOP whose files are broken.
    live: Option<Arc<LiveCatalog>>,
    /// Group leaders made ahead, so a new run's first step starts sooner (a server's).
    leaders: Option<Arc<LeaderPool>>,
    /// Directories finished runs left for later ones (a server's).
    dirs: Option<DirPool>,
}

impl Service {
    pub fn new(settings: Settings, store: Arc<dyn Store>, clock: Clock) -> Self {
        Service {
            settings: Arc::new(settings),
            store,
            clock,
            parsed: Arc::default(),
            live: None,
            leaders: None,
            dirs: None,
        }
    }

    /// This service, serving the last good version of any SOP `live` holds when its files on
    /// disk are broken.
    pub fn with_live_catalog(mut self, live: Arc<LiveCatalog>) -> Self {
        self.live = Some(live);
        self
    }

    /// Keeps `size` process-group leaders ready for new runs' first steps.
    pub fn with_leader_pool(mut self, size: usize) -> Self {
        self.leaders = LeaderPool::start(size).map(Arc::new);
        self
    }

    /// Keeps the working and output directories finished runs leave empty for later runs,
    /// instead of removing them and making new ones: for a long-lived process.
    pub fn with_dir_pool(mut self) -> Self {
        self.dirs = Some(DirPool::default());
        self
    }

    /// Removes the directories kept for later runs (a server stopping).
    pub fn clear_spare_dirs(&self) {
        if let Some(dirs) = &self.dirs {
            dirs.clear();
        }
    }

    pub fn live_catalog(&self) -> Option<&Arc<LiveCatalog>> {
        self.live.as_ref()
    }

    /// The version of `name` a server has in use, if this service has a live catalog.
    pub fn live_version(&self, name: &str) -> Option<Arc<GoodVersion>> {
        self.live.as_ref()?.get(name)?.good
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

    /// The SOPs this service parsed, by their text.
    pub fn parse_cache(&self) -> &ParseCache {
        &self.parsed
    }

    /// The engine acting for `caller`.
    pub fn engine<'a>(&'a self, caller: &Caller<'a>) -> crate::Result<Engine<'a>> {
        Ok(Engine::new(
            &self.settings,
            self.store.as_ref(),
            self.clock,
            caller.actor.clone(),
            caller.events,
            caller.owner.clone(),
        )?
        .with_stop(caller.stop.clone())
        .with_client(caller.client.clone())
        .handing_off(caller.hand_off)
        .with_leaders(self.leaders.as_deref())
        .with_dirs(self.dirs.as_ref())
        .with_live(self.live.as_deref())
        .with_parse_cache(Some(&self.parsed))
        .not_before(caller.not_before))
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

#[cfg(test)]
impl Service {
    /// A service for a test: its SOPs in `dir/sops`, a SQLite store in `dir`, `clock`, and
    /// `vars` as further settings.
    pub(crate) fn in_dir(dir: &std::path::Path, clock: Clock, vars: &[(&str, &str)]) -> Self {
        let db = format!("sqlite:{}", dir.join("sop.db").display());
        let vars = std::iter::once(("SOP_DATABASE_URL".to_string(), db)).chain(
            vars.iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string())),
        );
        let settings = Settings::from_vars(Some(dir.join("sops")), vars);
        let store = Arc::from(settings.open_store().expect("the test's store opens"));
        Self::new(settings, store, clock)
    }
}
