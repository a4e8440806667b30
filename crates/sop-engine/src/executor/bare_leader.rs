//! The cheapest process that can lead a step's process group: a child that shares this
//! process's memory (`clone(CLONE_VM)`, as `posix_spawn` makes its children), never runs a
//! program, and does nothing but wait on a pipe from this process. Starting `sh` for the same
//! job costs an `exec`, the dynamic loader and a shell's start-up for every attempt of every
//! step, as much as the step's own command when that is short.
//!
//! Because the child shares memory with a running, multi-threaded parent, it touches nothing of
//! it: it runs on a stack of its own, reads no shared data (its two descriptors arrive packed in
//! the argument), and makes its system calls directly, so not even `errno`, which lives in the
//! parent thread's storage, is written. Signals are blocked in the parent thread across the
//! `clone`; the child puts every handler back to its default before it unblocks them, so a
//! signal meant for the step (SIGTERM to the group) ends the leader, never runs one of the
//! parent's handlers in the child.

use super::vm_child::Stack;
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
use super::vm_child::sys;
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
use super::vm_child::{clone_blocked, pipe};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};

/// Bytes of the child's stack: its one small frame and the `clone` trampoline's.
const STACK_BYTES: usize = 32 * 1024;

/// A leader started with [`start`]. Dropping it ends the leader and reaps it before its stack
/// is freed.
#[derive(Debug)]
pub struct BareLeader {
    pid: i32,
    /// Closing it (or this process dying) lets the leader exit.
    _hold: Option<OwnedFd>,
    /// Freed only after the child is gone (fields drop after [`Drop::drop`]).
    _stack: Stack,
}

impl BareLeader {
    /// The leader's pid, which is its process group.
    pub fn pid(&self) -> i32 {
        self.pid
    }
}

impl Drop for BareLeader {
    fn drop(&mut self) {
        use nix::errno::Errno;
        use nix::sys::{signal, wait};
        // Our own child, reaped nowhere else.
        let pid = nix::unistd::Pid::from_raw(self.pid);
        let _ = signal::kill(pid, signal::Signal::SIGKILL);
        while wait::waitpid(pid, None) == Err(Errno::EINTR) {}
    }
}

/// Starts a bare leader in a new process group, or fails where this platform cannot (then the
/// caller starts `sh` instead).
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
pub fn start() -> io::Result<BareLeader> {
    let (read, write) = pipe()?;
    let mut stack = Stack::new(STACK_BYTES);
    let arg = (read.as_raw_fd() as usize) | ((write.as_raw_fd() as usize) << 32);
    // SAFETY: `child` touches only its own stack and makes raw system calls; the stack is
    // owned by the returned value, which outlives the child (its Drop reaps the child first).
    let pid = unsafe {
        clone_blocked(
            child,
            &mut stack,
            libc::CLONE_VM | libc::SIGCHLD,
            arg as *mut libc::c_void,
        )?
    };
    // Also set here, so the group exists when this returns whichever runs first.
    // SAFETY: setpgid on our own child, which never execs, cannot affect anything else.
    unsafe { libc::setpgid(pid, pid) };
    drop(read);
    Ok(BareLeader {
        pid,
        _hold: Some(write),
        _stack: stack,
    })
}

#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
pub fn start() -> io::Result<BareLeader> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// The leader: default signal handling, its own group, no descriptor but its end of the pipe,
/// then a wait for the pipe to close (or a signal) and an exit.
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
extern "C" fn child(arg: *mut libc::c_void) -> libc::c_int {
    let arg = arg as usize;
    let read = arg & 0xffff_ffff;
    let write = arg >> 32;
    // A kernel `struct sigaction` for SIG_DFL, no flags, empty mask: all zeroes on every
    // architecture, whatever the field order.
    let default = [0u64; 4];
    let empty = 0u64;
    // SAFETY: raw system calls on this child's own state; pointers are to its own stack.
    unsafe {
        sys(libc::SYS_close, write, 0, 0, 0);
        for signal in 1..=64usize {
            if signal != libc::SIGKILL as usize && signal != libc::SIGSTOP as usize {
                sys(
                    libc::SYS_rt_sigaction,
                    signal,
                    default.as_ptr() as usize,
                    0,
                    8,
                );
            }
        }
        sys(libc::SYS_setpgid, 0, 0, 0, 0);
        // Shown by `ps -e` and `top` instead of the parent's name (its command line, shared
        // memory, still reads as the parent's).
        let name = *b"sop-step-group\0\0";
        sys(
            libc::SYS_prctl,
            libc::PR_SET_NAME as usize,
            name.as_ptr() as usize,
            0,
            0,
        );
        // Every other descriptor inherited from this process (the database, sockets, other
        // steps' pipes) is closed, so the leader holds nothing open for anyone.
        if read > 0 {
            sys(libc::SYS_close_range, 0, read - 1, 0, 0);
        }
        sys(libc::SYS_close_range, read + 1, u32::MAX as usize, 0, 0);
        sys(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK as usize,
            &empty as *const u64 as usize,
            0,
            8,
        );
        let mut byte = 0u8;
        loop {
            let n = sys(libc::SYS_read, read, &mut byte as *mut u8 as usize, 1, 0);
            if n != -(libc::EINTR as isize) {
                break;
            }
        }
        sys(libc::SYS_exit, 0, 0, 0, 0);
    }
    0
}

#[cfg(all(
    test,
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
mod tests {
    use super::*;

    fn stat_field(pid: i32, index: usize) -> Option<String> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let rest = &stat[stat.rfind(')')? + 2..];
        rest.split_whitespace().nth(index).map(str::to_string)
    }

    fn wait(pid: i32) -> i32 {
        let mut status = 0;
        // SAFETY: waitpid on our own child.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        status
    }

    #[test]
    fn leads_its_own_group_holds_no_descriptor_of_ours_and_ends_with_its_pipe() {
        let (_r, _w) = pipe().unwrap();
        let leader = start().unwrap();
        // Its group is itself, set before start returned.
        assert_eq!(stat_field(leader.pid, 2), Some(leader.pid.to_string()));
        // The child may still be closing what it inherited: wait until only its pipe is left.
        let fds = || std::fs::read_dir(format!("/proc/{}/fd", leader.pid)).map(|d| d.count());
        let mut open = fds().unwrap();
        for _ in 0..10_000 {
            if open == 1 {
                break;
            }
            std::thread::yield_now();
            open = fds().unwrap();
        }
        assert_eq!(open, 1, "only its end of the pipe");
        let comm = std::fs::read_to_string(format!("/proc/{}/comm", leader.pid)).unwrap();
        assert_eq!(comm.trim_end(), "sop-step-group");
        let mut leader = leader;
        drop(leader._hold.take());
        let status = wait(leader.pid);
        assert!(libc::WIFEXITED(status), "exits when the pipe closes");
        assert_eq!(libc::WEXITSTATUS(status), 0);
    }

    #[test]
    fn sigterm_to_its_group_ends_it_whatever_this_process_does_with_sigterm() {
        // This process ignores SIGTERM while the leader starts; the leader must not inherit that.
        // SAFETY: changes and restores this test process's SIGTERM disposition.
        let before = unsafe { libc::signal(libc::SIGTERM, libc::SIG_IGN) };
        let leader = start().unwrap();
        unsafe { libc::signal(libc::SIGTERM, before) };
        // SAFETY: signals our own child's group (pgid > 1).
        assert_eq!(unsafe { libc::killpg(leader.pid, libc::SIGTERM) }, 0);
        let mut status = 0;
        for _ in 0..2_000 {
            // SAFETY: waitpid on our own child.
            if unsafe { libc::waitpid(leader.pid, &mut status, libc::WNOHANG) } == leader.pid {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert!(libc::WIFSIGNALED(status));
        assert_eq!(libc::WTERMSIG(status), libc::SIGTERM);
    }
}
