//! Read-only connections beside the one writer. With WAL a reader sees the last committed state
//! and never waits for a writer, so reads outside a transaction do not queue behind a long write.
//! Connections are opened on first need, up to a limit; a reader beyond it waits for one to be
//! given back.

use super::BUSY_TIMEOUT;
use crate::error::Result;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::{Condvar, Mutex, MutexGuard};

pub struct ReaderPool {
    path: PathBuf,
    max: usize,
    state: Mutex<State>,
    returned: Condvar,
}

struct State {
    idle: Vec<Connection>,
    /// Connections that exist: idle, lent out, or being opened.
    opened: usize,
}

impl ReaderPool {
    pub fn new(path: PathBuf, max: usize) -> Self {
        ReaderPool {
            path,
            max: max.max(1),
            state: Mutex::new(State {
                idle: Vec::new(),
                opened: 0,
            }),
            returned: Condvar::new(),
        }
    }

    /// Runs `f` on a reader connection.
    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let lent = Lent {
            pool: self,
            conn: Some(self.take()?),
        };
        f(lent
            .conn
            .as_ref()
            .expect("a lent connection is present until dropped"))
    }

    fn take(&self) -> Result<Connection> {
        let mut state = self.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(conn);
            }
            if state.opened < self.max {
                state.opened += 1;
                drop(state);
                // Opened outside the lock: it reads the file's header and may take a while.
                return self.open().inspect_err(|_| {
                    self.lock().opened -= 1;
                    self.returned.notify_one();
                });
            }
            state = self
                .returned
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    fn open(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        keep_plans(&conn)?;
        Ok(conn)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a list and a count, consistent at every unlock.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A connection lent out; given back when dropped, even if the reader panicked (a read leaves
/// nothing open once its statements are reset).
struct Lent<'a> {
    pool: &'a ReaderPool,
    conn: Option<Connection>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let mut state = self.pool.lock();
            if conn.is_autocommit() {
                state.idle.push(conn);
            } else {
                // A transaction left open would pin an old snapshot: close the connection instead.
                state.opened -= 1;
            }
            drop(state);
            self.pool.returned.notify_one();
        }
    }
}

/// Cached statements stay compiled: without the query planner stability guarantee, SQLite
/// (built with STAT4) compiles a cached statement again whenever a value bound to it could
/// change its plan — every `LIMIT ?` and every comparison with an indexed column — which cost
/// more than the statement itself. The store keeps no statistics, so plans never depend on values.
pub(super) fn keep_plans(conn: &Connection) -> Result<()> {
    conn.set_prepared_statement_cache_capacity(64);
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}
