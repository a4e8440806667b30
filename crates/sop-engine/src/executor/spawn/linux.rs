//! Starting a step's process on Linux: a `clone(CLONE_VM | CLONE_VFORK)` child that sets itself
//! up as `posix_spawn`'s does and `exec`s (see [`super`]).

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
