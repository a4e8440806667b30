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
mod imp {
    use super::super::vm_child::{Stack, clone_blocked, sys};
    use super::*;
    use std::ffi::{CStr, c_char};

    /// Bytes of the child's stack: its one small frame and the `clone` trampoline's.
    const STACK_BYTES: usize = 32 * 1024;

    /// Everything the child reads, prepared before the `clone`; `error` is what it writes.
    #[repr(C)]
    struct ChildArgs {
        program: *const c_char,
        argv: *const *const c_char,
        envp: *const *const c_char,
        cwd: *const c_char,
        pgid: i32,
        fds: [i32; 3],
        /// The errno of the step that failed, 0 if none did.
        error: i32,
    }

    pub fn spawn(cmd: &StepCommand) -> io::Result<StepChild> {
        let program = path_c(&cmd.program)?;
        let cwd = path_c(&cmd.cwd)?;
        let args = cmd
            .args
            .iter()
            .map(|a| c_string(a.as_bytes()))
            .collect::<io::Result<Vec<_>>>()?;
        let argv = null_terminated(args.iter().map(|a| a.as_c_str()));
        let envp = null_terminated(cmd.env.entries());
        let io = stdio(cmd.stdin)?;
        let mut child_args = ChildArgs {
            program: program.as_ptr(),
            argv: argv.as_ptr(),
            envp: envp.as_ptr(),
            cwd: cwd.as_ptr(),
            pgid: cmd.pgid,
            fds: io.child.each_ref().map(AsRawFd::as_raw_fd),
            error: 0,
        };
        let mut stack = Stack::new(STACK_BYTES);
        // SAFETY: `child` touches only its stack and `child_args` (and what it points to), all
        // alive until this returns, and makes raw system calls only; CLONE_VFORK suspends this
        // thread until the child has exec'd or exited.
        let pid = unsafe {
            clone_blocked(
                child,
                &mut stack,
                libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
                (&raw mut child_args).cast(),
            )?
        };
        drop(stack);
        // SAFETY: the child has exec'd or exited; nothing writes `error` any more.
        let error = unsafe { std::ptr::read_volatile(&raw const child_args.error) };
        drop(io.child);
        let mut started = StepChild {
            pid,
            stdin: io.stdin,
            stdout: Some(io.stdout),
            stderr: Some(io.stderr),
            status: None,
        };
        if error != 0 {
            // It exited without running anything: reaped here, as `posix_spawn` would.
            let _ = started.wait();
            return Err(io::Error::from_raw_os_error(error));
        }
        Ok(started)
    }

    /// Leaves the failed call's errno for the parent and exits.
    ///
    /// # Safety
    /// `args` points to the parent's live `ChildArgs`.
    unsafe fn fail(args: *mut ChildArgs, result: isize) -> ! {
        // SAFETY: as the caller promises; exit_group does not return.
        unsafe {
            (*args).error = (-result) as i32;
            loop {
                sys(libc::SYS_exit_group, 127, 0, 0, 0);
            }
        }
    }

    fn null_terminated<'a>(strings: impl IntoIterator<Item = &'a CStr>) -> Vec<*const c_char> {
        strings
            .into_iter()
            .map(CStr::as_ptr)
            .chain(std::iter::once(std::ptr::null()))
            .collect()
    }

    /// The child, between `clone` and `execve`.
    extern "C" fn child(arg: *mut libc::c_void) -> libc::c_int {
        let args = arg.cast::<ChildArgs>();
        // A kernel `struct sigaction` for SIG_DFL, no flags, empty mask: all zeroes on every
        // architecture; the handler is its first field.
        let default = [0u64; 4];
        let ignore = [libc::SIG_IGN as u64, 0, 0, 0];
        let empty = 0u64;
        // SAFETY: raw system calls; every pointer is to this child's stack or to `ChildArgs`,
        // which the suspended parent keeps alive.
        unsafe {
            for signal in 1..=64usize {
                if signal == libc::SIGKILL as usize || signal == libc::SIGSTOP as usize {
                    continue;
                }
                let mut current = [0u64; 4];
                let got = sys(
                    libc::SYS_rt_sigaction,
                    signal,
                    0,
                    current.as_mut_ptr() as usize,
                    8,
                );
                let handled = got == 0
                    && current[0] != libc::SIG_DFL as u64
                    && current[0] != libc::SIG_IGN as u64;
                // glibc's two internal signals (thread cancellation, set*id across threads)
                // are left ignored, as `posix_spawn` leaves them.
                let action = if signal == 32 || signal == 33 {
                    &ignore
                } else if handled || signal == libc::SIGPIPE as usize {
                    &default
                } else {
                    continue;
                };
                sys(
                    libc::SYS_rt_sigaction,
                    signal,
                    action.as_ptr() as usize,
                    0,
                    8,
                );
            }
            let r = sys(libc::SYS_setpgid, 0, (*args).pgid as usize, 0, 0);
            if r < 0 {
                fail(args, r);
            }
            for (target, &fd) in (*args).fds.iter().enumerate() {
                let r = if fd as usize == target {
                    sys(libc::SYS_fcntl, target, libc::F_SETFD as usize, 0, 0)
                } else {
                    sys(libc::SYS_dup3, fd as usize, target, 0, 0)
                };
                if r < 0 {
                    fail(args, r);
                }
            }
            let r = sys(libc::SYS_chdir, (*args).cwd as usize, 0, 0, 0);
            if r < 0 {
                fail(args, r);
            }
            sys(
                libc::SYS_rt_sigprocmask,
                libc::SIG_SETMASK as usize,
                &empty as *const u64 as usize,
                0,
                8,
            );
            let r = sys(
                libc::SYS_execve,
                (*args).program as usize,
                (*args).argv as usize,
                (*args).envp as usize,
                0,
            );
            fail(args, r)
        }
    }
}

#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
mod imp {
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::process::CommandExt;

    pub fn spawn(cmd: &StepCommand) -> io::Result<StepChild> {
        let (argv0, rest) = cmd
            .args
            .split_first()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no argv[0]"))?;
        let mut command = std::process::Command::new(&cmd.program);
        command
            .arg0(argv0)
            .args(rest)
            .current_dir(&cmd.cwd)
            .process_group(cmd.pgid)
            .env_clear()
            .envs(cmd.env.entries().into_iter().map(|e| {
                let bytes = e.to_bytes();
                let at = bytes.iter().position(|&b| b == b'=').unwrap_or(bytes.len());
                let value = bytes.get(at + 1..).unwrap_or_default();
                (OsStr::from_bytes(&bytes[..at]), OsStr::from_bytes(value))
            }))
            .stdin(match cmd.stdin {
                Stdin::Null => std::process::Stdio::null(),
                Stdin::Piped => std::process::Stdio::piped(),
            })
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn()?;
        let file = |fd: Option<OwnedFd>| fd.map(File::from);
        Ok(StepChild {
            pid: child.id() as i32,
            stdin: file(child.stdin.take().map(OwnedFd::from)),
            stdout: file(child.stdout.take().map(OwnedFd::from)),
            stderr: file(child.stderr.take().map(OwnedFd::from)),
            status: None,
        })
    }
}
