//! A small pool of connections: opened on first need up to the configured size
//! (`SOP_DATABASE_POOL`), handed to one caller at a time, checked when given back.
//!
//! A caller that finds every connection lent out waits up to [`POOL_WAIT`], then gets the
//! retryable [`StoreError::Busy`]. A connection that was lost, or given back with a transaction
//! still open (a panic in a transaction body), is closed instead of reused.

use super::conn::Conn;
use super::connect::ConnectSpec;
use crate::error::{Result, StoreError};
use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a caller waits for a free connection.
pub const POOL_WAIT: Duration = Duration::from_secs(30);

/// Session settings of every connection: a writer waits at most [`super::LOCK_TIMEOUT`] for a
/// row lock (another node's transaction), then fails with a retryable error, like SQLite's busy
/// timeout; a transaction left idle (a hung process) gives its locks up after a minute.
fn session() -> String {
    format!(
        "SET lock_timeout = '{}s'; SET idle_in_transaction_session_timeout = '60s'",
        super::LOCK_TIMEOUT.as_secs()
    )
}

pub struct Pool {
    spec: ConnectSpec,
    max: usize,
    state: Mutex<State>,
    returned: Condvar,
}

struct State {
    idle: Vec<Conn>,
    /// Connections that exist: idle, lent out, or being opened.
    opened: usize,
}

impl Pool {
    pub fn new(spec: ConnectSpec, max: usize) -> Self {
        Pool {
            spec,
            max: max.max(1),
            state: Mutex::new(State {
                idle: Vec::new(),
                opened: 0,
            }),
            returned: Condvar::new(),
        }
    }

    pub fn spec(&self) -> &ConnectSpec {
        &self.spec
    }

    /// A connection for the caller alone until the guard is dropped.
    pub fn take(&self) -> Result<Lent<'_>> {
        let deadline = Instant::now() + POOL_WAIT;
        let mut state = self.lock();
        loop {
            while let Some(conn) = state.idle.pop() {
                if !conn.is_closed() {
                    return Ok(self.lend(conn));
                }
                state.opened -= 1;
            }
            if state.opened < self.max {
                state.opened += 1;
                drop(state);
                // Opened outside the lock: connecting takes round trips.
                return match self.open() {
                    Ok(conn) => Ok(self.lend(conn)),
                    Err(e) => {
                        self.lock().opened -= 1;
                        self.returned.notify_one();
                        Err(e)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Busy(format!(
                    "all {} connections to {} stayed in use for {}s; raise SOP_DATABASE_POOL",
                    self.max,
                    self.spec.shown(),
                    POOL_WAIT.as_secs()
                )));
            }
            state = self
                .returned
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    fn open(&self) -> Result<Conn> {
        let mut conn = Conn::new(self.spec.connect()?);
        conn.batch(&session())?;
        Ok(conn)
    }

    fn lend(&self, conn: Conn) -> Lent<'_> {
        Lent {
            pool: self,
            conn: Some(conn),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a list and a count, consistent at every unlock.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A connection lent out; given back when dropped.
pub struct Lent<'a> {
    pool: &'a Pool,
    conn: Option<Conn>,
}

impl Deref for Lent<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn.as_ref().expect("present until dropped")
    }
}

impl DerefMut for Lent<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn.as_mut().expect("present until dropped")
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let mut state = self.pool.lock();
            if conn.in_transaction || conn.is_closed() {
                // Dropping the client closes it; the server rolls its transaction back.
                state.opened -= 1;
            } else {
                state.idle.push(conn);
            }
            drop(state);
            self.pool.returned.notify_one();
        }
    }
}
