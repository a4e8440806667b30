//! Starting a step's process held: forked into its process group with its output piped and its
//! working directory set, then stopped just before `exec` until the caller releases it. The
//! engine records the group in the transaction that starts the step and only then releases the
//! process, so no command of a step can run before its group is durably known.
//!
//! A held process never runs the command unless released: when the process that forked it dies
//! first, its end of the release pipe closes (and on Linux the kernel sends it SIGKILL), and the
//! held process exits without `exec`.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

/// Exit status of a held process that was never released (it never ran the command).
const NOT_RELEASED: i32 = 125;
/// Exit status of a process whose `exec` (or setup before it) failed; the error goes through a
/// pipe, so the status itself is never reported.
const EXEC_FAILED: i32 = 127;

/// Everything `exec` needs, prepared before `fork`: the child may not allocate.
#[derive(Debug)]
pub struct Program {
    pub path: CString,
    pub argv: Vec<CString>,
    pub envp: Vec<CString>,
    pub cwd: CString,
}

/// Which process group a new process goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Its own, named by its pid.
    New,
    /// The group of an earlier block of the same attempt.
    Join(i32),
}

/// A forked process, held before `exec` until [`HeldProcess::release`]. Dropping one that was
/// not run to its end kills and reaps it.
#[derive(Debug)]
pub struct HeldProcess {
    pid: i32,
    pgid: i32,
    release: Option<OwnedFd>,
    exec_error: OwnedFd,
    pub(super) stdout: Option<OwnedFd>,
    pub(super) stderr: Option<OwnedFd>,
    reaped: bool,
}

impl HeldProcess {
    /// Forks `program` held, in `group`.
    pub fn spawn(program: &Program, group: Group) -> io::Result<Self> {
        let argv = pointers(&program.argv);
        let envp = pointers(&program.envp);
        let (out_r, out_w) = pipe()?;
        let (err_r, err_w) = pipe()?;
        let (go_r, go_w) = pipe()?;
        let (x_r, x_w) = pipe()?;
        // SAFETY: a valid NUL-terminated path; the descriptor is owned right below.
        let null = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
        if null < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `open` just returned it; nothing else owns it.
        let null = unsafe { OwnedFd::from_raw_fd(null) };
        let target = match group {
            Group::New => 0,
            Group::Join(pgid) => pgid,
        };
        let child = ChildSetup {
            parent: std::process::id() as libc::pid_t,
            group: target,
            stdin: null.as_raw_fd(),
            stdout: out_w.as_raw_fd(),
            stderr: err_w.as_raw_fd(),
            release: go_r.as_raw_fd(),
            exec_error: x_w.as_raw_fd(),
            path: program.path.as_ptr(),
            argv: argv.as_ptr(),
            envp: envp.as_ptr(),
            cwd: program.cwd.as_ptr(),
        };
        // SAFETY: the child only makes async-signal-safe system calls on memory prepared above
        // (see `ChildSetup::run`) and ends in `execve` or `_exit`.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(io::Error::last_os_error());
        }
        if pid == 0 {
            // SAFETY: in the child of a fork; never returns.
            unsafe { child.run() }
        }
        let pgid = if target == 0 { pid } else { target };
        // Also from this side, so the group exists once this returns, whatever the child's
        // progress; an error means the child did it first.
        // SAFETY: setpgid on our own child, which cannot have exec'd yet.
        unsafe { libc::setpgid(pid, pgid) };
        drop((out_w, err_w, go_r, x_w, null));
        Ok(HeldProcess {
            pid,
            pgid,
            release: Some(go_w),
            exec_error: x_r,
            stdout: Some(out_r),
            stderr: Some(err_r),
            reaped: false,
        })
    }

    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The process group the process is in: where `sop cancel` and recovery find the step.
    pub fn pgid(&self) -> i32 {
        self.pgid
    }

    /// Lets the process go on to `exec` its command.
    pub fn release(&mut self) {
        if let Some(go) = self.release.take() {
            // A failed write means the process is already gone (a cancel signalled its group);
            // waiting for it reports how it ended.
            // SAFETY: writing one byte from a valid buffer to a descriptor we own.
            unsafe { libc::write(go.as_raw_fd(), [1u8].as_ptr().cast(), 1) };
        }
    }

    /// How the process ended, once it has exited, without reaping it: while it is an unreaped
    /// zombie its pid, which names the group, cannot be reused.
    pub fn exited(&self) -> io::Result<Option<ExitStatus>> {
        // SAFETY: siginfo_t is plain data; waitid fills it in.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        loop {
            // SAFETY: a valid siginfo_t to write to.
            let rc = unsafe { libc::waitid(libc::P_PID, self.pid as libc::id_t, &mut info, flags) };
            if rc == 0 {
                break;
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
        // SAFETY: waitid succeeded, so `info` is initialised; si_pid stays 0 while running.
        if unsafe { info.si_pid() } == 0 {
            return Ok(None);
        }
        // SAFETY: as above; for a child's exit, si_status holds the code or the signal.
        let status = unsafe { info.si_status() };
        Ok(Some(match info.si_code {
            libc::CLD_EXITED => ExitStatus::from_raw((status & 0xff) << 8),
            libc::CLD_DUMPED => ExitStatus::from_raw(status | 0x80),
            _ => ExitStatus::from_raw(status),
        }))
    }

    /// The error that kept the command from starting (no such interpreter, no working
    /// directory), once the process has exited.
    pub fn start_error(&self) -> Option<io::Error> {
        let mut buf = [0u8; 4];
        // After the exit nothing writes any more; never block on a copy another held process
        // inherited.
        set_nonblocking(self.exec_error.as_raw_fd());
        // SAFETY: reading into a valid 4-byte buffer from a descriptor we own.
        let n = unsafe { libc::read(self.exec_error.as_raw_fd(), buf.as_mut_ptr().cast(), 4) };
        (n == 4).then(|| io::Error::from_raw_os_error(i32::from_ne_bytes(buf)))
    }

    /// Reaps the exited process.
    pub fn reap(&mut self) {
        if self.reaped {
            return;
        }
        let mut status = 0;
        loop {
            // SAFETY: waiting for our own child.
            let rc = unsafe { libc::waitpid(self.pid, &mut status, 0) };
            if rc >= 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                break;
            }
        }
        self.reaped = true;
    }
}

impl Drop for HeldProcess {
    fn drop(&mut self) {
        if !self.reaped {
            // Never released (the transaction that would have started it did not commit) or
            // abandoned: it must not run on.
            // SAFETY: our own child, not yet reaped, so the pid is still ours.
            unsafe { libc::kill(self.pid, libc::SIGKILL) };
            self.reap();
        }
    }
}

/// What the child needs, as raw pointers and descriptors.
struct ChildSetup {
    parent: libc::pid_t,
    group: libc::pid_t,
    stdin: RawFd,
    stdout: RawFd,
    stderr: RawFd,
    release: RawFd,
    exec_error: RawFd,
    path: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
    cwd: *const libc::c_char,
}

impl ChildSetup {
    /// Runs in the forked child: async-signal-safe system calls only, no allocation.
    unsafe fn run(mut self) -> ! {
        // SAFETY (whole function): plain system calls on descriptors and NUL-terminated strings
        // prepared by the parent before the fork; every failure ends in `_exit`.
        unsafe {
            if libc::setpgid(0, self.group) != 0 {
                self.fail();
            }
            #[cfg(target_os = "linux")]
            {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                if libc::getppid() != self.parent {
                    libc::_exit(NOT_RELEASED);
                }
            }
            // A handler sop installed must not survive into the step (a SIGTERM from a cancel
            // must stop it while held); what sop's own caller ignores stays ignored. Rust
            // ignores SIGPIPE for itself; commands expect the default.
            for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGQUIT] {
                let mut old: libc::sigaction = std::mem::zeroed();
                libc::sigaction(signal, std::ptr::null(), &mut old);
                if old.sa_sigaction != libc::SIG_IGN {
                    libc::signal(signal, libc::SIG_DFL);
                }
            }
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            let mut none: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut none);
            libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());

            // Out of the way of 0-2 first, in case the parent had any of those closed.
            for fd in [
                &mut self.stdin,
                &mut self.stdout,
                &mut self.stderr,
                &mut self.release,
                &mut self.exec_error,
            ] {
                if *fd < 3 {
                    *fd = libc::fcntl(*fd, libc::F_DUPFD_CLOEXEC, 3);
                    if *fd < 0 {
                        libc::_exit(EXEC_FAILED);
                    }
                }
            }
            for (fd, target) in [(self.stdin, 0), (self.stdout, 1), (self.stderr, 2)] {
                if libc::dup2(fd, target) < 0 {
                    self.fail();
                }
            }
            if libc::chdir(self.cwd) != 0 {
                self.fail();
            }
            let mut byte = 0u8;
            loop {
                let n = libc::read(self.release, (&mut byte as *mut u8).cast(), 1);
                if n == 1 {
                    break;
                }
                if n < 0 && *libc::__errno_location() == libc::EINTR {
                    continue;
                }
                libc::_exit(NOT_RELEASED);
            }
            #[cfg(target_os = "linux")]
            libc::prctl(libc::PR_SET_PDEATHSIG, 0);
            libc::execve(self.path, self.argv, self.envp);
            self.fail()
        }
    }

    /// Reports errno to the parent and exits.
    unsafe fn fail(&self) -> ! {
        // SAFETY: see `run`.
        unsafe {
            let errno = *libc::__errno_location();
            libc::write(self.exec_error, errno.to_ne_bytes().as_ptr().cast(), 4);
            libc::_exit(EXEC_FAILED)
        }
    }
}

fn pointers(strings: &[CString]) -> Vec<*const libc::c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

/// A pipe whose ends close on `exec`.
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into a valid array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just returned both descriptors to us.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

pub(super) fn set_nonblocking(fd: RawFd) {
    // SAFETY: fcntl on an fd we own; failure only means reads may block, which poll avoids.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
    }
}
