//! A step attempt's process group, made before any of its commands run: a tiny leader process
//! (`sh -c 'read _'`) starts the group and waits on a pipe from this process. The engine writes
//! the group in the transaction that starts the attempt; only after that commit are the step's
//! processes started, each joining the group. When this process dies, the pipe closes and the
//! leader exits; the group then lives exactly as long as the step's processes do.

use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The leader of one attempt's process group. Dropping it ends the leader (the step's processes
/// in the group are not touched).
#[derive(Debug)]
pub struct GroupLeader {
    child: Child,
}

impl GroupLeader {
    /// Starts a leader in a new process group, with the shell at `sh`.
    pub fn start(sh: &Path) -> io::Result<Self> {
        let child = Command::new(sh)
            .args(["-c", "read _"])
            .env_clear()
            .current_dir("/")
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        Ok(GroupLeader { child })
    }

    /// The process group the step's processes join: where `sop cancel` and recovery find them.
    pub fn pgid(&self) -> i32 {
        self.child.id() as i32
    }
}

impl Drop for GroupLeader {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
