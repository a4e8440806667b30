//! The store suite on SQLite: every case on a new database file.

mod suite;

use sop_store::{SqliteStore, Store, StoreOptions};
use std::path::PathBuf;
use suite::TestDb;

/// A database file in its own temporary directory, removed with it.
pub struct SqliteFile {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl TestDb for SqliteFile {
    fn open(&self, options: StoreOptions) -> Box<dyn Store> {
        Box::new(SqliteStore::open_with(&self.path, options).unwrap())
    }
}

pub fn sqlite_file() -> SqliteFile {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    SqliteFile { _dir: dir, path }
}

suite::store_suite!(crate::sqlite_file);
