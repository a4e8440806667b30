//! Starting a step's process: [`StepCommand`] is what it runs (program, arguments, environment,
//! working directory, process group, stdin), [`StepChild`] the started process with its pipes.
//!
//! On Linux the process is started as `posix_spawn` starts one (a child sharing this process's
//! memory, `clone(CLONE_VM | CLONE_VFORK)`, that sets itself up and `exec`s while this thread
//! waits), with two differences that matter to a server starting hundreds of steps a second:
//! the child's stack is an ordinary allocation, where `posix_spawn` maps one for every call and
//! unmaps it after (each unmapping of a multi-threaded process interrupts every core running one
//! of its threads to flush its TLB); and the environment is handed over as built
//! ([`Environ`], its shared part once per run), with no sorted map rebuilt per start as
//! `std::process::Command` does. Elsewhere the same command is
//! started through `std::process::Command`.
//!
//! The child does what `posix_spawn` does with `std`'s settings, in the same order: every
//! signal with a handler, and `SIGPIPE`, back to its default action (ignored signals stay
//! ignored, and glibc's two internal ones are ignored), its process group, stdin, stdout and
//! stderr, the working directory, an empty signal mask, then `execve`. It makes only raw system calls (see
//! [`vm_child`](super::vm_child)); a failure is left in memory the parent reads once the
//! child has exited.

use super::environ::Environ;
use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitStatus;

/// What a step's process reads on stdin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stdin {
    /// `/dev/null`.
    Null,
    /// A pipe from this process (a held process waits on it).
    Piped,
}

/// A process to start: stdout and stderr are always pipes to this process.
#[derive(Debug, Clone)]
pub struct StepCommand {
    pub program: PathBuf,
    /// `argv[0]` and the rest.
    pub args: Vec<OsString>,
    pub env: Environ,
    pub cwd: PathBuf,
    /// The process group to join; 0 for a new one led by the process.
    pub pgid: i32,
    pub stdin: Stdin,
}

/// A started process. Like `std::process::Child`, dropping it neither kills nor reaps it.
#[derive(Debug)]
pub struct StepChild {
    pid: i32,
    pub stdin: Option<File>,
    pub stdout: Option<File>,
    pub stderr: Option<File>,
    status: Option<ExitStatus>,
}

impl StepChild {
    pub fn id(&self) -> u32 {
        self.pid as u32
    }

    /// SIGKILL, unless it has been reaped already.
    pub fn kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        // SAFETY: kill has no memory-safety preconditions; the pid is our unreaped child's.
        if unsafe { libc::kill(self.pid, libc::SIGKILL) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Closes stdin, then waits for the process to exit and reaps it.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        if let Some(status) = self.status {
            return Ok(status);
        }
        let mut raw = 0;
        loop {
            // SAFETY: waitpid writes the status into `raw`.
            if unsafe { libc::waitpid(self.pid, &mut raw, 0) } >= 0 {
                break;
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
        let status = ExitStatus::from_raw(raw);
        self.status = Some(status);
        Ok(status)
    }
}

impl StepCommand {
    /// Starts the process.
    pub fn spawn(&self) -> io::Result<StepChild> {
        imp::spawn(self)
    }
}

/// The start itself: `spawn/linux.rs` where the bare `clone` is available, else
/// `spawn/portable.rs`.
#[cfg_attr(
    all(
        target_os = "linux",
        any(target_arch = "x86_64", target_arch = "aarch64")
    ),
    path = "spawn/linux.rs"
)]
#[cfg_attr(
    not(all(
        target_os = "linux",
        any(target_arch = "x86_64", target_arch = "aarch64")
    )),
    path = "spawn/portable.rs"
)]
mod imp;
