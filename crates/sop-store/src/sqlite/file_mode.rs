//! The database file holds variable values and step output, so it is private to its owner: a new
//! file is created 0600 and a directory sop creates for it 0700. An existing file readable by
//! everyone loses its world bits; its group bits stay, since sharing a database with a group is
//! a deliberate choice.

use crate::error::{Result, StoreError};
use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode of a database file sop creates.
pub const FILE_MODE: u32 = 0o600;
/// Mode of each directory sop creates on the way to the database file.
pub const DIR_MODE: u32 = 0o700;

/// Creates the missing parent directories (0700) and the file (0600), and takes the world bits
/// off an existing file and its WAL and shared-memory files.
pub fn prepare(path: &Path) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| StoreError::Io { path, source }
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.exists()
    {
        DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(parent)
            .map_err(io(parent))?;
    }
    // An empty file is an empty SQLite database; creating it here decides its mode, since
    // SQLite would create it with 0644 less the umask. Its WAL and shared-memory files take
    // the database file's mode.
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
    {
        Ok(_) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(path)(e)),
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let Ok(meta) = std::fs::metadata(&file) else {
            continue;
        };
        let mode = meta.permissions().mode();
        if meta.is_file() && mode & 0o007 != 0 {
            // Not our file to change (another owner): leave it; opening it still works.
            let _ = std::fs::set_permissions(&file, Permissions::from_mode(mode & 0o7770));
        }
    }
    Ok(())
}
