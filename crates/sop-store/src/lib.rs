//! Durable state for sop — runs, steps, gates, facts, audit — behind the [`Store`] trait.
//!
//! This is the only crate that knows SQL. SQLite (embedded) is the default backend; a
//! `postgres://` location selects PostgreSQL, which several sop nodes can share.
//! See `docs/store.md` for the schema, the migration policy and how to add a backend.

pub mod audit_chain;
mod error;
mod id;
mod location;
mod options;
mod postgres;
mod ready;
mod records;
mod sqlite;
mod store;
mod write_guard;

pub use audit_chain::AuditKey;
pub use error::{Result, StoreError};
pub use id::{ID_LEN, is_id_prefix};
pub use location::Location;
pub use options::{DEFAULT_POOL_SIZE, DEFAULT_READERS, StoreOptions};
pub use postgres::{LOCK_TIMEOUT, POSTGRES_SCHEMA_VERSION, PostgresStore};
pub use ready::{IntervalListener, ReadyListener, SQLITE_LOOK_EVERY};
pub use records::*;
pub use sop_core::run::{RunStatus, StepStatus};
pub use sqlite::{BUSY_TIMEOUT, DIR_MODE, FILE_MODE, SCHEMA_VERSION, SqliteStore};
pub use store::{Queries, Store, StoreExt, Tx, TxBody};

/// Opens the store named by `SOP_DATABASE_URL`, else the XDG state directory, with
/// [`StoreOptions::from_env`] (the audit key from `SOP_AUDIT_KEY_FILE`, the OS user and host).
pub fn open_from_env() -> Result<Box<dyn Store>> {
    open_with(&Location::from_env()?, StoreOptions::from_env()?)
}

/// Opens the store at a resolved [`Location`] with default options.
pub fn open(location: &Location) -> Result<Box<dyn Store>> {
    open_with(location, StoreOptions::default())
}

/// Opens the store at a resolved [`Location`].
pub fn open_with(location: &Location, options: StoreOptions) -> Result<Box<dyn Store>> {
    Ok(match location {
        Location::Postgres(url) => Box::new(PostgresStore::open_with(url, options)?),
        Location::Memory | Location::File(_) => {
            Box::new(SqliteStore::open_location_with(location, options)?)
        }
    })
}
