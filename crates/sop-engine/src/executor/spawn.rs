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
//! ignored, and glibc's two internal ones are ignored), its process group, stdin, stdout and stderr, the working directory, an empty
//! signal mask, then `execve`. It makes only raw system calls (see
//! [`vm_child`](super::vm_child)); a failure is left in memory the parent reads once the
//! child has exited.

use super::environ::Environ;
use super::vm_child::pipe;
use std::ffi::{CString, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
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

fn c_string(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "a NUL byte in a program, argument or environment variable",
        )
    })
}

fn path_c(path: &Path) -> io::Result<CString> {
    c_string(path.as_os_str().as_bytes())
}

/// `fd` moved to a number above stderr's, so that placing the child's three standard
/// descriptors cannot overwrite one not yet placed (a process started with stdio closed gets
/// its pipes there).
fn above_stdio(fd: OwnedFd) -> io::Result<OwnedFd> {
    if fd.as_raw_fd() > 2 {
        return Ok(fd);
    }
    // SAFETY: F_DUPFD_CLOEXEC makes a new descriptor from one we own.
    let moved = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
    if moved < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: just created, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(moved) })
}

/// The three descriptors the child gets as stdin, stdout and stderr, and this process's ends.
struct Stdio {
    child: [OwnedFd; 3],
    stdin: Option<File>,
    stdout: File,
    stderr: File,
}

fn stdio(stdin: Stdin) -> io::Result<Stdio> {
    let (child_in, parent_in) = match stdin {
        Stdin::Null => {
            let null = std::fs::File::open("/dev/null")?;
            (OwnedFd::from(null), None)
        }
        Stdin::Piped => {
            let (read, write) = pipe()?;
            (read, Some(File::from(write)))
        }
    };
    let (out_read, out_write) = pipe()?;
    let (err_read, err_write) = pipe()?;
    Ok(Stdio {
        child: [
            above_stdio(child_in)?,
            above_stdio(out_write)?,
            above_stdio(err_write)?,
        ],
        stdin: parent_in,
        stdout: File::from(out_read),
        stderr: File::from(err_read),
    })
}

#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
mod linux;
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
use linux as imp;

#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
mod portable;
#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
use portable as imp;
