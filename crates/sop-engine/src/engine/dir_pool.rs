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
//! [`crate::executor::Executor`]), so it is handed on as it is. Either is kept only while it is
//! still as it was made — this user's, mode 0700, and for an output directory nothing but plain
//! files — so a step that opened its directory up or left a link in it cannot reach a later run.

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

    /// Renames a waiting working directory to `path`, the name a run recorded before its
    /// directory was made; false when none waits or `path` exists meanwhile.
    pub fn take_workdir_as(&self, path: &Path) -> bool {
        let Some(spare) = self.take_workdir() else {
            return false;
        };
        let renamed = nix::fcntl::renameat2(
            nix::fcntl::AT_FDCWD,
            &spare,
            nix::fcntl::AT_FDCWD,
            path,
            nix::fcntl::RenameFlags::RENAME_NOREPLACE,
        );
        if renamed.is_err() {
            let _ = std::fs::remove_dir(&spare);
            return false;
        }
        true
    }

    /// Keeps `dir`, a finished run's working directory, under `fresh_name` when it is empty
    /// and there is room; otherwise it is left for the caller to remove. Whether it was kept.
    pub fn put_workdir(&self, dir: &Path, fresh_name: PathBuf) -> bool {
        if self.spare().workdirs.len() >= KEEP || !is_private(dir) || !is_empty(dir) {
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
        if is_private(dir.path()) && holds_files(dir.path()) {
            let mut spare = self.spare();
            if spare.scratch.len() < KEEP {
                spare.scratch.push(dir);
            }
        }
    }
}

/// Still as it was made: a directory (not a link to one) of this user that only this user may
/// enter. A step may have opened up its working directory, or the one its `$SOP_OUTPUT` is
/// in; such a one is removed, not handed to a run that would trust it.
fn is_private(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(dir).is_ok_and(|m| {
        m.is_dir() && m.mode() & 0o7777 == 0o700 && m.uid() == nix::unistd::geteuid().as_raw()
    })
}

fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

/// Only plain files (the `$SOP_OUTPUT` files, which each attempt empties): no link or
/// directory a later run's files could be opened through.
fn holds_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .into_iter()
            .all(|e| e.and_then(|e| e.file_type()).is_ok_and(|t| t.is_file()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As the engine makes them: mode 0700.
    fn private_dir(path: &Path) {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().mode(0o700).create(path).unwrap();
    }

    #[test]
    fn an_empty_workdir_is_kept_under_a_new_name_and_a_full_one_is_not() {
        let parent = tempfile::tempdir().unwrap();
        let pool = DirPool::default();
        let used = parent.path().join("sop-run-a");
        private_dir(&used);
        assert!(pool.put_workdir(&used, parent.path().join("sop-run-b")));
        assert!(!used.exists(), "the recorded path is gone at once");
        assert_eq!(pool.take_workdir(), Some(parent.path().join("sop-run-b")));
        assert_eq!(pool.take_workdir(), None);

        let full = parent.path().join("sop-run-c");
        private_dir(&full);
        std::fs::write(full.join("left"), "x").unwrap();
        assert!(!pool.put_workdir(&full, parent.path().join("sop-run-d")));
        assert!(full.join("left").exists());
        assert_eq!(pool.take_workdir(), None);
    }

    #[test]
    fn a_dir_a_step_opened_up_or_put_a_link_in_is_not_kept() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        let pool = DirPool::default();
        let opened = parent.path().join("sop-run-a");
        private_dir(&opened);
        std::fs::set_permissions(&opened, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(!pool.put_workdir(&opened, parent.path().join("sop-run-b")));
        assert!(opened.exists());

        let linked = ScratchDir::create_in(parent.path(), "sop-output").unwrap();
        let linked_path = linked.path().to_path_buf();
        std::os::unix::fs::symlink("/etc/hostname", linked_path.join("output-odd")).unwrap();
        pool.put_scratch(linked);
        assert!(pool.take_scratch().is_none());
        assert!(!linked_path.exists(), "removed instead");

        let plain = ScratchDir::create_in(parent.path(), "sop-output").unwrap();
        std::fs::write(plain.path().join("output-odd"), "").unwrap();
        let plain_path = plain.path().to_path_buf();
        pool.put_scratch(plain);
        assert_eq!(pool.take_scratch().unwrap().path(), plain_path);
    }

    #[test]
    fn a_workdir_is_not_renamed_over_an_existing_path() {
        let parent = tempfile::tempdir().unwrap();
        let pool = DirPool::default();
        let used = parent.path().join("sop-run-a");
        let taken = parent.path().join("sop-run-b");
        private_dir(&used);
        private_dir(&taken);
        assert!(!pool.put_workdir(&used, taken.clone()));
        assert!(used.exists() && taken.exists());
        assert_eq!(pool.take_workdir(), None);
    }

    #[test]
    fn the_last_handle_removes_what_waits() {
        let parent = tempfile::tempdir().unwrap();
        let pool = DirPool::default();
        let used = parent.path().join("sop-run-a");
        private_dir(&used);
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
