//! Starting a step's process on Linux: a `clone(CLONE_VM | CLONE_VFORK)` child that sets itself
//! up as `posix_spawn`'s does and `exec`s (see [`super`]).

use super::super::vm_child::{Stack, clone_blocked, pipe, sys};
use super::*;
use std::ffi::{CStr, CString, c_char};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

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
