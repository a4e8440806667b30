//! The database holds variable values and step output: sop creates it 0600 and the directories
//! it creates for it 0700, and takes the world bits off an existing file.

use crate::suite::audit::append;
use sop_store::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_new_database_and_its_new_directories_are_private() {
    let dir = tempfile::tempdir().unwrap();
    set_mode(dir.path(), 0o755);
    let path = dir.path().join("state/sop/sop.db");
    let store = SqliteStore::open(&path).unwrap();
    append(&store, 1);
    assert_eq!(mode(&path), FILE_MODE);
    assert_eq!(FILE_MODE, 0o600);
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    assert_eq!(mode(Path::new(&wal)), 0o600, "the WAL holds the same data");
    assert_eq!(mode(&dir.path().join("state/sop")), DIR_MODE);
    assert_eq!(mode(&dir.path().join("state")), 0o700);
    assert_eq!(
        mode(dir.path()),
        0o755,
        "an existing directory is left alone"
    );
}

#[test]
fn an_existing_world_readable_database_loses_its_world_bits_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    drop(SqliteStore::open(&path).unwrap());
    set_mode(&path, 0o664);
    drop(SqliteStore::open(&path).unwrap());
    assert_eq!(mode(&path), 0o660, "a group share is deliberate and stays");
    set_mode(&path, 0o600);
    drop(SqliteStore::open(&path).unwrap());
    assert_eq!(mode(&path), 0o600);
}
