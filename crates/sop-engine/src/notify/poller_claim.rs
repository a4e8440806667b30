//! The `telegram-poller` claim: of the `sop serve` nodes sharing one database only the one
//! holding it long-polls Telegram's `getUpdates`. Two calls for one bot at once make Telegram
//! end one with `409 Conflict`, and every node polling read each button press, so each
//! decided it and all but one answered "Not decided". The holder renews the claim before
//! every call and every press it handles; one that dies stops renewing, and another node takes
//! the claim over once it lapses.

use chrono::{DateTime, TimeDelta, Utc};
use sop_store::{Store, StoreExt};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The claim's name in the store.
pub const NAME: &str = "telegram-poller";

/// This process's hold on the claim.
pub struct PollerClaim {
    store: Arc<dyn Store>,
    /// Who holds it: the server's `host/pid/nonce`, as its run leases and heartbeat name it.
    owner: String,
    ttl: TimeDelta,
    /// Set when the poller stops, with the claim released. Taking happens under the same lock,
    /// so a renewal racing the stop cannot hold the claim again for a process that no longer
    /// polls, keeping the other nodes waiting for it to lapse.
    given_up: Mutex<bool>,
}

impl PollerClaim {
    /// A claim taken for `owner`, each time until `ttl` after the moment of taking.
    pub fn new(store: Arc<dyn Store>, owner: impl Into<String>, ttl: Duration) -> Self {
        PollerClaim {
            store,
            owner: owner.into(),
            ttl: TimeDelta::from_std(ttl).unwrap_or(TimeDelta::MAX),
            given_up: Mutex::new(false),
        }
    }

    /// Takes or renews the claim at `now`; false while another process holds it, and for good
    /// once this one gave it up.
    pub fn hold(&self, now: DateTime<Utc>) -> sop_store::Result<bool> {
        let given_up = self.given_up.lock().unwrap_or_else(|e| e.into_inner());
        if *given_up {
            return Ok(false);
        }
        let until = now
            .checked_add_signed(self.ttl)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.store
            .transaction(|tx| tx.take_claim(NAME, &self.owner, now, until))
    }

    /// Releases the claim, so a node waiting for it polls at once instead of after it lapses,
    /// and never takes it again.
    pub fn give_up(&self) -> sop_store::Result<()> {
        let mut given_up = self.given_up.lock().unwrap_or_else(|e| e.into_inner());
        *given_up = true;
        self.store
            .transaction(|tx| tx.release_claim(NAME, &self.owner))
            .map(|_| ())
    }

    /// Whether [`PollerClaim::give_up`] was called: what a call under way brings back is left
    /// for the next holder.
    pub fn given_up(&self) -> bool {
        *self.given_up.lock().unwrap_or_else(|e| e.into_inner())
    }
}
