//! Who asks for an operation and who watches what it does.

use crate::{NoEvents, RunEvents, StopSignal};

/// The person (or program) an operation acts for, where its run's progress goes, and the
/// signal that asks a driver to let go.
pub struct Caller<'a> {
    pub actor: String,
    pub events: &'a dyn RunEvents,
    pub stop: StopSignal,
    /// The name runs driven for this caller are leased under: one per caller, so two callers
    /// of one process never mistake each other's leases for their own.
    pub owner: String,
    /// The program the actor acts through, e.g. `mcp:claude-desktop`; `None` at the CLI. The
    /// actor stays the person: this is recorded beside it as `client` in the audit trail.
    pub client: Option<String>,
    /// Runs this caller's operations hand on are left `pending` for a server instead of being
    /// driven by whoever called (the CLI while a server is alive, the server's own handlers).
    pub hand_off: bool,
    /// No step process of a run driven for this caller starts before this instant (a cron run
    /// recorded ahead of its tick).
    pub not_before: Option<std::time::Instant>,
}

impl<'a> Caller<'a> {
    pub fn new(actor: impl Into<String>, events: &'a dyn RunEvents) -> Self {
        Self::owning(actor, events, None)
    }

    /// A caller holding leases under `owner` when one was made for it before (a place in a
    /// server's pool), else under a new name: no name is made only to be replaced.
    pub fn owning(
        actor: impl Into<String>,
        events: &'a dyn RunEvents,
        owner: Option<String>,
    ) -> Self {
        Caller {
            actor: actor.into(),
            events,
            stop: StopSignal::new(),
            owner: owner.unwrap_or_else(crate::engine::lease::new_owner),
            client: None,
            hand_off: false,
            not_before: None,
        }
    }

    /// The same caller, leaving every run it hands on to a server.
    pub fn handing_off(mut self) -> Self {
        self.hand_off = true;
        self
    }

    pub fn with_stop(mut self, stop: StopSignal) -> Self {
        self.stop = stop;
        self
    }

    /// The same caller, starting no step process before `at`.
    pub fn not_before(mut self, at: Option<std::time::Instant>) -> Self {
        self.not_before = at;
        self
    }

    pub fn with_client(mut self, client: impl Into<String>) -> Self {
        self.client = Some(client.into());
        self
    }
}

impl Caller<'static> {
    /// A caller nobody watches (reads, background work).
    pub fn quiet(actor: impl Into<String>) -> Self {
        Caller::new(actor, &NoEvents)
    }

    /// [`Caller::quiet`], holding leases under `owner` if given (see [`Caller::owning`]).
    pub fn quiet_owning(actor: impl Into<String>, owner: Option<String>) -> Self {
        Caller::owning(actor, &NoEvents, owner)
    }
}
