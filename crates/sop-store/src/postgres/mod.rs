//! The PostgreSQL backend: one database shared by any number of sop processes and nodes.
//!
//! The client is the blocking `postgres` crate: the engine calls the store from plain threads
//! (never from async worker threads), so a blocking client fits it without a runtime of sop's
//! own. Connections come from a small pool ([`pool`], `SOP_DATABASE_POOL`). Transactions run at
//! READ COMMITTED; what SQLite gets from its single writer comes from row locks here: run
//! updates are compare-and-set in their WHERE clause, a lease is decided under its run's row
//! lock, and every audit append holds the chain's head row until commit. Lost races that
//! PostgreSQL reports (deadlock, serialisation failure, lock timeout) are the retryable
//! [`crate::StoreError::Busy`].

mod api_token_sql;
mod audit_sql;
mod claim_sql;
mod codec;
mod conn;
pub(crate) mod connect;
mod console_session_sql;
mod deadline_sql;
mod delivery_sql;
mod event_sql;
mod fact_sql;
mod gate_sql;
mod lease_sql;
mod listen;
mod migrate;
mod notification_sql;
mod pickup_sql;
mod pool;
mod prune_sql;
mod queries;
mod queue_sql;
mod run_sql;
mod schedule_sql;
mod server_sql;
mod step_sql;
mod tx;

pub use connect::ConnectSpec;
pub use migrate::LATEST as POSTGRES_SCHEMA_VERSION;

use crate::audit_chain::append::AuditSettings;
use crate::error::Result;
use crate::options::StoreOptions;
use crate::records::{AuditCheckpoint, VerifyReport};
use crate::store::{Store, TxBody};
use crate::write_guard::{Writing, not_writing};
use conn::Conn;
use pool::Pool;
use std::time::Duration;
use tx::PostgresTx;

/// How long a writer waits for a row lock another transaction holds (the chain's head, a run)
/// before giving up with [`crate::StoreError::Busy`]; set on every connection.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// A [`Store`] on one PostgreSQL database (or one schema of it, by the URL's `search_path`).
pub struct PostgresStore {
    pool: Pool,
    audit: AuditSettings,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://USER@HOST:PORT/DB`) and migrates it.
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, StoreOptions::default())
    }

    /// [`PostgresStore::open`] with options; `options.pool_size` bounds the connections.
    pub fn open_with(url: &str, options: StoreOptions) -> Result<Self> {
        let spec = ConnectSpec::parse(url)?;
        let store = PostgresStore {
            pool: Pool::new(spec, options.pool_size),
            audit: AuditSettings {
                origin: options.origin,
                key: options.audit_key,
            },
        };
        {
            let mut conn = store.pool.take()?;
            migrate::migrate(&mut conn, store.pool.spec().shown())?;
        }
        Ok(store)
    }

    fn key(&self) -> usize {
        self as *const PostgresStore as usize
    }

    /// Runs a read on a pooled connection, outside any transaction.
    fn with<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        not_writing(self.key())?;
        let mut conn = self.pool.take()?;
        f(&mut conn)
    }
}

mod store_queries {
    use super::PostgresStore;
    use crate::error::Result;
    use crate::records::*;
    super::queries::impl_queries!(PostgresStore);
}

impl Store for PostgresStore {
    fn write(&self, body: &mut TxBody<'_>) -> Result<()> {
        not_writing(self.key())?;
        let mut conn = self.pool.take()?;
        conn.batch("BEGIN")?;
        conn.in_transaction = true;
        let result = {
            let mut tx = PostgresTx::new(&mut conn, &self.audit);
            let writing = Writing::enter(self.key());
            let result = body(&mut tx);
            drop(writing);
            result.and_then(|()| tx.finish())
        };
        match result {
            Ok(()) => conn.batch("COMMIT")?,
            Err(e) => {
                // A failed rollback leaves the connection marked, and the pool closes it (the
                // server then rolls back); the body's error is what the caller needs.
                if conn.batch("ROLLBACK").is_ok() {
                    conn.in_transaction = false;
                }
                return Err(e);
            }
        }
        conn.in_transaction = false;
        Ok(())
    }

    /// The chain, with the same checks as on SQLite. SQLite's `integrity_check` has no
    /// counterpart here: PostgreSQL has no whole-database check without an extension (amcheck)
    /// and superuser rights, so `storage` stays empty, and damage PostgreSQL itself detects
    /// while the trail is read (a page checksum) is the error [`StoreError::Corrupt`].
    fn verify_audit_with(&self, checkpoints: &[AuditCheckpoint]) -> Result<VerifyReport> {
        self.with(|conn| audit_sql::verify(conn, self.audit.key.as_ref(), checkpoints))
    }

    fn describe(&self) -> String {
        self.pool.spec().shown().to_owned()
    }

    fn ready_listener(&self) -> Result<Box<dyn crate::ReadyListener>> {
        Ok(Box::new(listen::PgListener::new(self.pool.spec().clone())?))
    }
}
