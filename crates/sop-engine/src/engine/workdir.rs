//! Where a run's commands execute: the SOP's `workdir`, or a fresh private temp directory that
//! lives as long as the run (in a server, one an earlier run left empty, renamed; see
//! [`DirPool`]).

use super::DirPool;
use crate::error::Context as _;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

const PREFIX: &str = "sop-run-";

/// The working directory for a new run of the SOP in `sop_dir` with `workdir` set (relative
/// paths are relative to the SOP's folder), or a new private temp directory. A run that does
/// not start now (left `pending` for a server) gets only the directory's name: it is made when
/// the run starts ([`ensure`]), from a directory a finished run left by then, where a backlog
/// of waiting runs would otherwise each hold one made for it.
pub fn for_new_run(
    sop_folder: &Path,
    workdir: Option<&str>,
    pool: Option<&DirPool>,
    starts_now: bool,
) -> crate::Result<PathBuf> {
    match workdir {
        Some(dir) => {
            let path = sop_folder.join(dir);
            Ok(std::path::absolute(&path).unwrap_or(path))
        }
        None if !starts_now => Ok(new_name(&std::env::temp_dir())),
        None => match pool.and_then(DirPool::take_workdir) {
            Some(dir) => Ok(dir),
            None => fresh(),
        },
    }
}

/// A new random path in `parent` for a run's working directory; whoever creates it or renames a
/// directory to it makes sure it did not exist.
fn new_name(parent: &Path) -> PathBuf {
    let suffix: u64 = rand::random();
    parent.join(format!("{PREFIX}{suffix:016x}"))
}

fn fresh() -> crate::Result<PathBuf> {
    let parent = std::env::temp_dir();
    for _ in 0..16 {
        let path = new_name(&parent);
        match std::fs::DirBuilder::new().mode(0o700).create(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("cannot create a working directory in {}", parent.display())
                });
            }
        }
    }
    Err(crate::Error::internal(format!(
        "no free working directory name in {}",
        parent.display()
    )))
}

/// Makes sure a run's temp directory exists before a step runs (it is made when the run first
/// starts, and may have been cleaned up while the run waited), taking one a finished run left
/// in `pool` when there is one; an SOP's own `workdir` is never created. One found already
/// there must be a directory of this user, not a link: the name was recorded before the
/// directory was made, and nobody else may have made it meanwhile.
pub fn ensure(path: &Path, pool: Option<&DirPool>) -> crate::Result<()> {
    use std::os::unix::fs::MetadataExt;
    if !is_ours(path) {
        return Ok(());
    }
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() && m.uid() == nix::unistd::geteuid().as_raw() => return Ok(()),
        Ok(_) => {
            return Err(crate::Error::invalid(format!(
                "the run's working directory {} exists but was not made by sop (it is not a directory of this user); remove it, then run the step again (`sop retry RUN`)",
                path.display()
            )));
        }
        Err(_) => {}
    }
    if let Some(pool) = pool
        && pool.take_workdir_as(path)
    {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(path)
        .with_context(|| format!("cannot create the working directory {}", path.display()))
}

/// Removes the temp directory of a run that ended for good, or gives it to `pool` when the run
/// left it empty. A failed run keeps it: `sop retry` and `sop skip` go on in it, with the files
/// earlier steps left there.
pub fn release(run: &sop_store::Run, pool: Option<&DirPool>) {
    let done = run.status.is_terminal() && run.status != sop_core::run::RunStatus::Failed;
    let (true, Some(dir)) = (done, &run.workdir) else {
        return;
    };
    let dir = Path::new(dir);
    if let Some(pool) = pool.filter(|_| is_ours(dir))
        && pool.put_workdir(dir, new_name(&std::env::temp_dir()))
    {
        return;
    }
    remove(dir);
}

/// Removes a run's temp directory; an SOP's own `workdir` is left alone.
pub fn remove(path: &Path) {
    if is_ours(path) {
        let _ = std::fs::remove_dir_all(path);
    }
}

fn is_ours(path: &Path) -> bool {
    path.parent() == Some(std::env::temp_dir().as_path())
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_dirs_are_private_and_removed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = for_new_run(Path::new("/srv/sops/demo"), None, None, true).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        remove(&dir);
        assert!(!dir.exists());
        ensure(&dir, None).unwrap();
        assert!(dir.exists());
        remove(&dir);
    }

    #[test]
    fn a_run_that_waits_is_given_a_name_and_its_directory_when_it_starts() {
        use std::os::unix::fs::PermissionsExt;
        let dir = for_new_run(Path::new("/srv/sops/demo"), None, None, false).unwrap();
        assert!(is_ours(&dir) && !dir.exists(), "nothing made yet");
        // Made when it starts: a directory a finished run left, renamed to the recorded name.
        let pool = DirPool::default();
        let left = for_new_run(Path::new("/srv/sops/demo"), None, None, true).unwrap();
        assert!(pool.put_workdir(&left, new_name(&std::env::temp_dir())));
        ensure(&dir, Some(&pool)).unwrap();
        assert!(dir.is_dir());
        assert_eq!(pool.take_workdir(), None, "the spare one was used");
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        remove(&dir);
        // Without a spare one, it is made.
        ensure(&dir, Some(&pool)).unwrap();
        assert!(dir.is_dir());
        remove(&dir);
    }

    #[test]
    fn a_link_found_under_the_recorded_name_is_refused() {
        let dir = for_new_run(Path::new("/srv/sops/demo"), None, None, false).unwrap();
        let target = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(target.path(), &dir).unwrap();
        let e = ensure(&dir, None).unwrap_err();
        assert!(e.to_string().contains("not made by sop"), "{e}");
        std::fs::remove_file(&dir).unwrap();
    }

    #[test]
    fn an_sop_workdir_is_resolved_and_never_touched() {
        let dir = for_new_run(Path::new("/srv/sops/demo"), Some("work"), None, true).unwrap();
        assert_eq!(dir, Path::new("/srv/sops/demo/work"));
        assert!(!is_ours(&dir));
        let abs = for_new_run(Path::new("/srv/sops/demo"), Some("/var/tmp"), None, true).unwrap();
        assert_eq!(abs, Path::new("/var/tmp"));
    }
}
