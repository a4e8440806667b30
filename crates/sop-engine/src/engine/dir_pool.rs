//! Directories a server's finished runs leave behind for its later runs: a fresh working
//! directory and a private `$SOP_OUTPUT` directory cost a `mkdir` and an `rmdir` each (about
//! 0.2 ms of kernel time together on ext4, more than a step's commit), where taking one kept
//! here costs a `rename` or nothing.
//!
//! A working directory is kept only when its run left it empty, and it is renamed to a new
//! random name as it is put here: the path its finished run recorded is gone at once, so no
//! later command on that run (a `sop retry` from elsewhere) can find it in use by another run,
//! and the next run records a name no other run ever had. An output directory is never
//! recorded anywhere; its files are emptied by each attempt before it starts (see
//! [`crate::executor::Executor`]), so it is handed on as it is.

use crate::executor::ScratchDir;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// At most this many directories of each kind wait here; more are removed.
const KEEP: usize = 32;

/// A handle on one process's spare directories; clones share them. The last handle dropped
/// removes those still waiting.
#[derive(Debug, Clone, Default)]
pub struct DirPool {
    spare: Arc<Mutex<Spare>>,
}

#[derive(Debug, Default)]
struct Spare {
    workdirs: Vec<PathBuf>,
    scratch: Vec<ScratchDir>,
}

impl Drop for Spare {
    fn drop(&mut self) {
        for dir in self.workdirs.drain(..) {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

impl DirPool {
    fn spare(&self) -> MutexGuard<'_, Spare> {
        // The lists stay consistent whatever panicked while one was held.
        self.spare.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Removes every directory waiting here (a server stopping; later runs make new ones).
    pub fn clear(&self) {
        drop(std::mem::take(&mut *self.spare()));
    }

    /// An empty private working directory no run has recorded, if one is waiting.
    pub fn take_workdir(&self) -> Option<PathBuf> {
        self.spare().workdirs.pop()
    }

    /// Keeps `dir`, a finished run's working directory, under `fresh_name` when it is empty
    /// and there is room; otherwise it is left for the caller to remove. Whether it was kept.
    pub fn put_workdir(&self, dir: &Path, fresh_name: PathBuf) -> bool {
        if self.spare().workdirs.len() >= KEEP || !is_empty(dir) {
            return false;
        }
        // RENAME_NOREPLACE: like `mkdir`, the new name must not exist yet, so nobody can
        // have prepared it.
        let renamed = nix::fcntl::renameat2(
            nix::fcntl::AT_FDCWD,
            dir,
            nix::fcntl::AT_FDCWD,
            &fresh_name,
            nix::fcntl::RenameFlags::RENAME_NOREPLACE,
        );
        if renamed.is_err() {
            return false;
        }
        let mut spare = self.spare();
        if spare.workdirs.len() < KEEP {
            spare.workdirs.push(fresh_name);
        } else {
            drop(spare);
            let _ = std::fs::remove_dir(&fresh_name);
        }
        true
    }

    /// A private directory for a run's `$SOP_OUTPUT` files, if one is waiting.
    pub fn take_scratch(&self) -> Option<ScratchDir> {
        self.spare().scratch.pop()
    }

    /// Keeps a run's output directory for a later run, or removes it when enough wait.
    pub fn put_scratch(&self, dir: ScratchDir) {
        let mut spare = self.spare();
        if spare.scratch.len() < KEEP && dir.path().is_dir() {
            spare.scratch.push(dir);
        }
    }
}

fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_workdir_is_kept_under_a_new_name_and_a_full_one_is_not() {
        let parent = tempfile::tempdir().unwrap();
        let pool = DirPool::default();
        let used = parent.path().join("sop-run-a");
        std::fs::create_dir(&used).unwrap();
        assert!(pool.put_workdir(&used, parent.path().join("sop-run-b")));
        assert!(!used.exists(), "the recorded path is gone at once");
        assert_eq!(pool.take_workdir(), Some(parent.path().join("sop-run-b")));
        assert_eq!(pool.take_workdir(), None);

        let full = parent.path().join("sop-run-c");
        std::fs::create_dir(&full).unwrap();
        std::fs::write(full.join("left"), "x").unwrap();
        assert!(!pool.put_workdir(&full, parent.path().join("sop-run-d")));
        assert!(full.join("left").exists());
        assert_eq!(pool.take_workdir(), None);
    }

    #[test]
    fn a_workdir_is_not_renamed_over_an_existing_path() {
        let parent = tempfile::tempdir().unwrap();
        let pool = DirPool::default();
        let used = parent.path().join("sop-run-a");
        let taken = parent.path().join("sop-run-b");
        std::fs::create_dir(&used).unwrap();
        std::fs::create_dir(&taken).unwrap();
        assert!(!pool.put_workdir(&used, taken.clone()));
        assert!(used.exists() && taken.exists());
        assert_eq!(pool.take_workdir(), None);
    }

    #[test]
    fn the_last_handle_removes_what_waits() {
        let parent = tempfile::tempdir().unwrap();
        let pool = DirPool::default();
        let used = parent.path().join("sop-run-a");
        std::fs::create_dir(&used).unwrap();
        assert!(pool.put_workdir(&used, parent.path().join("sop-run-b")));
        let scratch = ScratchDir::create_in(parent.path(), "sop-output").unwrap();
        let scratch_path = scratch.path().to_path_buf();
        pool.put_scratch(scratch);
        let other = pool.clone();
        drop(pool);
        assert!(parent.path().join("sop-run-b").exists() && scratch_path.exists());
        drop(other);
        assert!(!parent.path().join("sop-run-b").exists());
        assert!(!scratch_path.exists());
    }
}
