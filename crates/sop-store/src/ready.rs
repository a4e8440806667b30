//! [`ReadyListener`]: how a server waiting for work learns that a run may be ready to pick up,
//! without asking the database over and over.

use crate::error::Result;
use std::time::Duration;

/// Wakes a process that waits for runs to drive: PostgreSQL's `LISTEN`/`NOTIFY` (a run that
/// becomes `pending` with no lease notifies every listening node when its transaction
/// commits), or, on SQLite, which has no notifications, a short fixed interval.
pub trait ReadyListener: Send {
    /// Waits at most `timeout` for a run to become ready; true when the caller should look
    /// now (a notification, or the interval of a backend without them), false when the time
    /// ran out with nothing heard. A lost connection is an error; the next call reconnects.
    fn wait(&mut self, timeout: Duration) -> Result<bool>;
}

/// How often a SQLite listener tells its waiter to look: SQLite cannot notify other processes.
pub const SQLITE_LOOK_EVERY: Duration = Duration::from_millis(500);

/// The listener of a backend without notifications: it wakes its waiter every
/// [`SQLITE_LOOK_EVERY`].
pub struct IntervalListener;

impl ReadyListener for IntervalListener {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
        let nap = timeout.min(SQLITE_LOOK_EVERY);
        // The interval is the mechanism here: there is nothing else to wait on.
        std::thread::sleep(nap);
        Ok(nap == SQLITE_LOOK_EVERY)
    }
}
