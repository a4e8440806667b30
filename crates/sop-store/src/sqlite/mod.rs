//! The SQLite backend: one database file, WAL, `synchronous=FULL`, `BEGIN IMMEDIATE` writes.
//!
//! Durability: with WAL and `synchronous=FULL` every commit is fsynced before [`Store::write`]
//! returns, so a finished step survives a power cut. Concurrency: readers never block writers;
//! writers take the write lock up front (`BEGIN IMMEDIATE`) and wait up to [`BUSY_TIMEOUT`] for
//! it, which avoids the "database is locked" failures of upgrading a read transaction.

mod api_token_sql;
mod audit_sql;
mod codec;
mod delivery_sql;
mod event_sql;
mod fact_sql;
mod gate_sql;
mod lease_sql;
mod migrate;
mod pickup_sql;
mod prune_sql;
mod run_sql;
mod server_sql;
mod step_sql;
mod tx;

pub use migrate::LATEST as SCHEMA_VERSION;

use crate::error::{Result, StoreError};
use crate::location::Location;
use crate::records::VerifyReport;
use crate::store::{Store, TxBody};
use rusqlite::{Connection, TransactionBehavior};
use std::cell::Cell;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;
use tx::SqliteTx;

thread_local! {
    /// The store whose `write` body this thread is running (its address), or 0.
    static WRITING: Cell<usize> = const { Cell::new(0) };
}

/// How long a writer waits for other writers before giving up with [`StoreError::Busy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Implements [`crate::Queries`] for a type with a `with(|conn| ...)` method.
macro_rules! impl_queries {
    ($ty:ty) => {
        impl $crate::store::Queries for $ty {
            fn run(&self, id: &str) -> Result<Run> {
                self.with(|c| super::run_sql::get(c, id))
            }
            fn find_run(&self, prefix: &str) -> Result<Run> {
                self.with(|c| super::run_sql::find(c, prefix))
            }
            fn list_runs(&self, filter: &RunFilter) -> Result<Vec<RunSummary>> {
                self.with(|c| super::run_sql::list(c, filter))
            }
            fn list_runs_before(
                &self,
                filter: &RunFilter,
                before: &str,
            ) -> Result<Vec<RunSummary>> {
                self.with(|c| super::run_sql::list_page(c, filter, Some(before)))
            }
            fn count_active_runs(&self, sop_name: &str) -> Result<u64> {
                self.with(|c| super::run_sql::count_active(c, sop_name))
            }
            fn steps(&self, run_id: &str) -> Result<Vec<StepRun>> {
                self.with(|c| super::step_sql::list(c, run_id))
            }
            fn step(&self, run_id: &str, number: u32) -> Result<StepRun> {
                self.with(|c| super::step_sql::get(c, run_id, number))
            }
            fn gate(&self, gate_id: &str) -> Result<Gate> {
                self.with(|c| super::gate_sql::get(c, gate_id))
            }
            fn gates(&self, run_id: &str) -> Result<Vec<Gate>> {
                self.with(|c| super::gate_sql::of_run(c, run_id))
            }
            fn open_gates(&self) -> Result<Vec<Gate>> {
                self.with(super::gate_sql::open)
            }
            fn decisions(&self, gate_id: &str) -> Result<Vec<GateDecision>> {
                self.with(|c| super::gate_sql::decisions(c, gate_id))
            }
            fn run_decisions(&self, run_id: &str) -> Result<Vec<GateDecision>> {
                self.with(|c| super::gate_sql::run_decisions(c, run_id))
            }
            fn tokens(&self, gate_id: &str) -> Result<Vec<ApprovalToken>> {
                self.with(|c| super::gate_sql::tokens(c, gate_id))
            }
            fn token_by_hash(&self, hash: &str) -> Result<Option<ApprovalToken>> {
                self.with(|c| super::gate_sql::token_by_hash(c, hash))
            }
            fn fact(&self, name: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<Fact>> {
                self.with(|c| super::fact_sql::get(c, name, now))
            }
            fn facts(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<Fact>> {
                self.with(|c| super::fact_sql::list(c, now))
            }
            fn events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
                self.with(|c| super::event_sql::list(c, filter))
            }
            fn audit_entries(&self, run_id: Option<&str>) -> Result<Vec<AuditEntry>> {
                self.with(|c| super::audit_sql::entries(c, run_id))
            }
            fn api_token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>> {
                self.with(|c| super::api_token_sql::by_hash(c, hash))
            }
            fn api_tokens(&self) -> Result<Vec<ApiToken>> {
                self.with(super::api_token_sql::list)
            }
            fn live_servers(
                &self,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<ServerBeat>> {
                self.with(|c| super::server_sql::live(c, since))
            }
            fn delivery(
                &self,
                key: &str,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<Delivery>> {
                self.with(|c| super::delivery_sql::get(c, key, since))
            }
            fn run_counts(&self) -> Result<Vec<(String, sop_core::run::RunStatus, u64)>> {
                self.with(super::pickup_sql::counts)
            }
            fn pickup_candidates(&self, limit: u32) -> Result<Vec<PickupCandidate>> {
                self.with(|c| super::pickup_sql::candidates(c, limit))
            }
        }
    };
}
pub(crate) use impl_queries;

/// A [`Store`] on one SQLite connection (shared by threads through a mutex; open one store per
/// process, or several — they coordinate through the file's locks).
pub struct SqliteStore {
    conn: Mutex<Connection>,
    location: Location,
}

impl SqliteStore {
    /// Opens (creating it and its parent directories if needed) and migrates the database file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        let location = Location::File(path.to_owned());
        Connection::open(path)
            .map_err(StoreError::from)
            .and_then(|conn| Self::setup(conn, location.clone()))
            .map_err(|e| located(e, &location))
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> Result<Self> {
        Self::setup(Connection::open_in_memory()?, Location::Memory)
    }

    pub fn open_location(location: &Location) -> Result<Self> {
        match location {
            Location::Memory => Self::open_in_memory(),
            Location::File(path) => Self::open(path),
        }
    }

    /// Opens the database named by `SOP_DATABASE_URL`, else the XDG state directory.
    pub fn open_from_env() -> Result<Self> {
        Self::open_location(&Location::from_env()?)
    }

    fn setup(mut conn: Connection, location: Location) -> Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        if matches!(location, Location::File(_)) {
            let mode: String =
                conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Backend(
                    format!("{location}: cannot switch to WAL mode (got `{mode}`)").into(),
                ));
            }
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate::migrate(&mut conn, &location.to_string())?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            location,
        })
    }

    /// Changes how long writers wait for the write lock (default [`BUSY_TIMEOUT`]).
    pub fn set_busy_timeout(&self, timeout: Duration) -> Result<()> {
        Ok(self.lock()?.busy_timeout(timeout)?)
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The connection, unless this thread is inside this store's own `write` body — taking the
    /// lock again there would deadlock, so that misuse is an error instead.
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>> {
        if WRITING.with(|w| w.get()) == self.key() {
            return Err(StoreError::Backend(
                "inside Store::write, read and write through the transaction, not the store".into(),
            ));
        }
        // A panic while holding the lock dropped its transaction, which rolled back: the
        // connection is still sound.
        Ok(self
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    fn key(&self) -> usize {
        self as *const SqliteStore as usize
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock()?;
        f(&conn)
    }
}

mod store_queries {
    use super::SqliteStore;
    use crate::error::Result;
    use crate::records::*;
    super::impl_queries!(SqliteStore);
}

/// Names the database in errors that would otherwise not say which file is meant.
fn located(err: StoreError, location: &Location) -> StoreError {
    match err {
        StoreError::Corrupt(m) => StoreError::Corrupt(format!("{location}: {m}")),
        StoreError::Backend(e) => StoreError::Backend(format!("{location}: {e}").into()),
        other => other,
    }
}

impl Store for SqliteStore {
    fn write(&self, body: &mut TxBody<'_>) -> Result<()> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outer = WRITING.with(|w| w.replace(self.key()));
        let result = body(&mut SqliteTx { conn: &tx });
        WRITING.with(|w| w.set(outer));
        result?;
        tx.commit()?;
        Ok(())
    }

    fn verify_audit(&self) -> Result<VerifyReport> {
        self.with(audit_sql::verify)
    }

    fn describe(&self) -> String {
        self.location.to_string()
    }
}
