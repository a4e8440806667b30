//! The SQLite backend: one database file, WAL, `synchronous=FULL`, `BEGIN IMMEDIATE` writes.
//!
//! Durability: with WAL and `synchronous=FULL` every commit is fsynced before [`Store::write`]
//! returns, so a finished step survives a power cut. Concurrency: one writer connection, and
//! read-only connections beside it ([`pool`]) so reads never queue behind a write; writers take
//! the write lock up front (`BEGIN IMMEDIATE`) and wait up to [`BUSY_TIMEOUT`] for it, which
//! avoids the "database is locked" failures of upgrading a read transaction. Writes from
//! several threads at once share one transaction and its flush ([`group_commit`]).

mod api_token_sql;
mod audit_sql;
mod claim_sql;
mod codec;
mod console_session_sql;
mod deadline_sql;
mod delivery_sql;
mod event_sql;
mod fact_sql;
mod file_mode;
mod gate_sql;
mod group_commit;
mod integrity;
mod lease_sql;
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

pub use file_mode::{DIR_MODE, FILE_MODE};
pub use migrate::LATEST as SCHEMA_VERSION;

use crate::audit_chain::append::AuditSettings;
use crate::error::{Result, StoreError};
use crate::location::Location;
use crate::options::StoreOptions;
use crate::records::{AuditCheckpoint, VerifyReport};
use crate::store::{Store, TxBody};
use group_commit::GroupWriter;
use pool::ReaderPool;
use queries::impl_queries;
use rusqlite::Connection;
use rusqlite::config::DbConfig;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tx::SqliteTx;

/// How long a writer waits for other writers before giving up with [`StoreError::Busy`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs `f` again while the file is locked by another connection, up to [`BUSY_TIMEOUT`]:
/// switching a new file to WAL does not wait for the lock by itself, so several processes
/// opening one fresh database at once would otherwise fail with "database is locked".
fn while_busy<T>(mut f: impl FnMut() -> Result<T>) -> Result<T> {
    let until = std::time::Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(1);
    loop {
        match f() {
            Err(StoreError::Busy(_)) if std::time::Instant::now() < until => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// A [`Store`] on one SQLite database: one writer connection (shared by threads through a
/// mutex) and a few read-only connections. Open one store per process, or several — they
/// coordinate through the file's locks.
pub struct SqliteStore {
    /// `None` for an in-memory database, which only its one connection can see.
    readers: Option<ReaderPool>,
    /// A connection of its own for [`Store::checkpoint`], opened on first use, so a checkpoint
    /// never holds the writer's lock; closed before the writer, like the readers.
    checkpointer: Mutex<Option<Connection>>,
    writer: GroupWriter,
    /// Set by [`Store::defer_checkpoints`]: the WAL may have grown large, so closing the store
    /// copies it into the database and empties it (see [`KEPT_LOG_PAGES`] and `Drop`).
    deferred: AtomicBool,
    location: Location,
    audit: AuditSettings,
}

impl Drop for SqliteStore {
    /// A WAL left behind is read back whole by every process that opens the database next, a
    /// read-only one included, until some process commits: one grown past the usual bound (a
    /// server's, or one large transaction's) is copied into the database and emptied here.
    fn drop(&mut self) {
        let Location::File(path) = &self.location else {
            return;
        };
        let grown = || {
            let mut wal = path.clone().into_os_string();
            wal.push("-wal");
            std::fs::metadata(wal).is_ok_and(|m| m.len() > LARGE_LOG_BYTES)
        };
        if self.deferred.load(Ordering::Relaxed) || (self.writer.commits() > 0 && grown()) {
            let conn = self.writer.lock();
            // Should another process be writing or reading, the WAL stays as it is, to be
            // emptied another time; nothing is lost. Closing does not wait long for that.
            let _ = conn.busy_timeout(CLOSE_WAIT);
            let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
    }
}

/// A WAL file larger than this (twice [`KEPT_LOG_PAGES`] of 4 KiB pages, with their frame
/// headers) is emptied when the store closes.
const LARGE_LOG_BYTES: u64 = 2 * KEPT_LOG_PAGES as u64 * (4096 + 24);

/// How long closing the store waits for other connections to let it empty a grown WAL.
const CLOSE_WAIT: Duration = Duration::from_millis(100);

impl SqliteStore {
    /// Opens (creating it and its parent directories if needed) and migrates the database file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, StoreOptions::default())
    }

    /// [`SqliteStore::open`] with options.
    pub fn open_with(path: impl AsRef<Path>, options: StoreOptions) -> Result<Self> {
        let path = path.as_ref();
        let location = Location::File(path.to_owned());
        file_mode::prepare(path)?;
        let readers =
            (options.readers > 0).then(|| ReaderPool::new(path.to_owned(), options.readers));
        Connection::open(path)
            .map_err(StoreError::from)
            .and_then(|conn| Self::setup(conn, location.clone(), readers, options))
            .map_err(|e| located(e, &location))
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> Result<Self> {
        Self::open_in_memory_with(StoreOptions::default())
    }

    /// A private in-memory database with options (it reads through its writer).
    pub fn open_in_memory_with(options: StoreOptions) -> Result<Self> {
        Self::setup(
            Connection::open_in_memory()?,
            Location::Memory,
            None,
            options,
        )
    }

    pub fn open_location(location: &Location) -> Result<Self> {
        Self::open_location_with(location, StoreOptions::default())
    }

    pub fn open_location_with(location: &Location, options: StoreOptions) -> Result<Self> {
        match location {
            Location::Memory => Self::open_in_memory_with(options),
            Location::File(path) => Self::open_with(path, options),
            Location::Postgres(_) => Err(StoreError::InvalidLocation {
                url: location.to_string(),
                reason: "a PostgreSQL database; open it with sop_store::open_with".into(),
            }),
        }
    }

    /// Opens the database named by `SOP_DATABASE_URL`, else the XDG state directory, with
    /// [`StoreOptions::from_env`].
    pub fn open_from_env() -> Result<Self> {
        Self::open_location_with(&Location::from_env()?, StoreOptions::from_env()?)
    }

    fn setup(
        mut conn: Connection,
        location: Location,
        readers: Option<ReaderPool>,
        options: StoreOptions,
    ) -> Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        if matches!(location, Location::File(_)) {
            let mode: String = while_busy(|| {
                Ok(conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?)
            })?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Backend(
                    format!("{location}: cannot switch to WAL mode (got `{mode}`)").into(),
                ));
            }
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        if matches!(location, Location::File(_)) {
            conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
            conn.pragma_update(None, "wal_autocheckpoint", KEPT_LOG_PAGES)?;
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", WRITER_CACHE)?;
        pool::keep_plans(&conn)?;
        while_busy(|| migrate::migrate(&mut conn, &location.to_string()))?;
        Ok(SqliteStore {
            writer: GroupWriter::new(conn),
            deferred: AtomicBool::new(false),
            checkpointer: Mutex::new(None),
            readers,
            location,
            audit: AuditSettings {
                origin: options.origin,
                key: options.audit_key,
            },
        })
    }

    /// Changes how long writers wait for the write lock (default [`BUSY_TIMEOUT`]).
    pub fn set_busy_timeout(&self, timeout: Duration) -> Result<()> {
        Ok(self.lock()?.busy_timeout(timeout)?)
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The writer, unless this thread is inside this store's own `write` body — taking the
    /// lock again there would deadlock, so that misuse is an error instead.
    fn lock(&self) -> Result<group_commit::Held<'_>> {
        self.not_writing()?;
        Ok(self.writer.lock())
    }

    /// Reading through the store inside its own `write` body would not see the body's writes;
    /// that misuse is an error.
    fn not_writing(&self) -> Result<()> {
        crate::write_guard::not_writing(self.key())
    }

    fn key(&self) -> usize {
        self as *const SqliteStore as usize
    }

    /// Runs a read on a reader (the writer for an in-memory database).
    fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        match &self.readers {
            Some(pool) => {
                self.not_writing()?;
                pool.with(f)
            }
            None => f(&*self.lock()?),
        }
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

/// A process's commits copy the WAL into the database once it holds this many pages (SQLite's
/// default is 1,000), and closing the database leaves the WAL as it is
/// (`SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE`). A WAL the last connection closed used to be copied and
/// removed, so that every command-line process began a new one and each of its commits grew
/// the file: a flush that also writes the file's new size, 0.1 ms more per step than writing
/// into blocks the file has already (p50 0.45 against 0.35 ms for a step's transaction). A WAL
/// left behind is read back whole by the next process to open the database, to rebuild its
/// index: this bound keeps that read small.
const KEPT_LOG_PAGES: i64 = 256;

/// The writer's page cache: 512 KiB (a negative `cache_size` is in KiB) instead of SQLite's
/// 2 MiB. A transaction touches a few dozen pages; a page not cached comes back from the
/// operating system's cache. The default cache filled as a server's database grew, and with it
/// the server's memory (19.4–20.0 MB after 400 runs, against 18.5–18.6 MB with this).
const WRITER_CACHE: i64 = -512;

/// Has the next commit write the log from its start again, over blocks the file has, instead of
/// after its end: a commit that grows the file waits for the file's new size to be flushed as
/// well (twice as long on this disk). SQLite restarts the log only when a write begins while
/// the whole log is copied and no reader still reads it, which a server writing all the time
/// never gives it; so after a whole copy the frames committed during it are copied too, with
/// this process's writes held off, and the log restarted then, if no reader is in it. It is
/// never waited for: a reader in the log, or another process writing, leaves it to the next
/// time.
///
/// The write that restarts the log writes its header and flushes it before its own frames: a
/// second flush, which the next request's commit would otherwise wait for (at idle, that is the
/// one after every copy). It is made here instead, by a write that changes nothing.
fn restart_log(conn: &Connection, writer: &GroupWriter) -> Result<()> {
    conn.busy_timeout(Duration::ZERO)?;
    let restarted = writer.between_writes(|| -> Result<()> {
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get(0))?;
        if busy == 0 {
            start_log(conn)?;
        }
        Ok(())
    });
    conn.busy_timeout(BUSY_TIMEOUT)?;
    match restarted {
        // Another process writing or reading leaves the restart to the next time.
        Some(Err(StoreError::Busy(_))) | None | Some(Ok(())) => Ok(()),
        Some(Err(e)) => Err(e),
    }
}

/// Writes the log's first frame: `user_version` set to the value it has (the only write that
/// touches no table), in a transaction of its own.
fn start_log(conn: &Connection) -> Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let written = conn
        .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
        .and_then(|v| conn.pragma_update(None, "user_version", v));
    match written {
        Ok(()) => Ok(conn.execute_batch("COMMIT")?),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e.into())
        }
    }
}

/// With checkpoints deferred, a commit still checkpoints once the log holds this many pages
/// (about 40 MiB): a safety net should the checkpointing thread fall behind.
const DEFERRED_AUTOCHECKPOINT: i64 = 10_000;

impl Store for SqliteStore {
    fn defer_checkpoints(&self) -> Result<()> {
        if matches!(self.location, Location::File(_)) {
            self.lock()?
                .pragma_update(None, "wal_autocheckpoint", DEFERRED_AUTOCHECKPOINT)?;
            self.deferred.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    fn checkpoint(&self) -> Result<()> {
        let Location::File(path) = &self.location else {
            return Ok(());
        };
        let mut slot = self
            .checkpointer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if slot.is_none() {
            let conn = Connection::open(path).map_err(|e| located(e.into(), &self.location))?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            *slot = Some(conn);
        }
        if let Some(conn) = slot.as_ref() {
            // PASSIVE: copies the frames no reader still needs, never waits for a writer or
            // blocks one.
            let (log, copied): (i64, i64) =
                conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                    Ok((r.get(1)?, r.get(2)?))
                })?;
            // Only after a whole copy: what is left to copy with the writes held off is then
            // just what was committed during it, not what a reader kept back.
            if copied == log {
                restart_log(conn, &self.writer)?;
            }
        }
        Ok(())
    }

    /// Group commit (see [`group_commit`]): a write arriving while another holds the writer
    /// joins its transaction.
    fn write(&self, body: &mut TxBody<'_>) -> Result<()> {
        self.not_writing()?;
        self.writer.write(|conn| {
            let mut stx = SqliteTx::new(conn, &self.audit);
            let writing = crate::write_guard::Writing::enter(self.key());
            let result = body(&mut stx);
            drop(writing);
            result?;
            stx.finish()
        })
    }

    fn commits(&self) -> u64 {
        self.writer.commits()
    }

    fn verify_audit_with(&self, checkpoints: &[AuditCheckpoint]) -> Result<VerifyReport> {
        self.with(|conn| {
            let storage = integrity::check(conn)?;
            // A damaged file may not even read back; the storage check has said why.
            let mut report = match audit_sql::verify(conn, self.audit.key.as_ref(), checkpoints) {
                Ok(report) => report,
                Err(StoreError::Corrupt(m)) if !storage.is_empty() => VerifyReport {
                    storage: vec![m],
                    ..VerifyReport::default()
                },
                Err(e) => return Err(e),
            };
            report.storage.splice(0..0, storage);
            Ok(report)
        })
    }

    fn describe(&self) -> String {
        self.location.to_string()
    }

    /// SQLite notifies no other process, so the listener wakes its waiter on an interval.
    fn ready_listener(&self) -> Result<Box<dyn crate::ReadyListener>> {
        Ok(Box::new(crate::IntervalListener))
    }
}
