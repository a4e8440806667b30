//! Children that share this process's memory (`clone` with `CLONE_VM`): the step-group leader
//! and every step process until its `exec`. Such a child must not touch anything of the
//! parent's, not even `errno` in the parent thread's storage, so it makes its system calls
//! directly ([`sys`]) and calls no libc function; it runs on a stack of its own ([`Stack`]),
//! started by [`clone_blocked`] with signals blocked so that none runs one of the parent's
//! handlers on the child's side.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};

/// Memory for a child's stack, freed only once the child no longer runs on it.
pub struct Stack(Box<[std::mem::MaybeUninit<u8>]>);

impl Stack {
    /// Left unwritten: the child's frames are its first contents.
    pub fn new(bytes: usize) -> Self {
        Stack(Box::<[u8]>::new_uninit_slice(bytes))
    }

    /// The stack grows down from its 16-byte-aligned top.
    fn top(&mut self) -> *mut libc::c_void {
        let range = self.0.as_mut_ptr_range();
        (range.end as usize & !15) as *mut libc::c_void
    }
}

impl std::fmt::Debug for Stack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Stack({} bytes)", self.0.len())
    }
}

/// `clone(child, stack, flags, arg)` with every signal blocked in this thread across it; the
/// child's pid. The child starts with them all blocked and must put every handler back to its
/// default before it unblocks them.
///
/// # Safety
/// `child` must keep to what this module's doc says, and everything it reads through `arg`
/// and `stack` must outlive its use: with `CLONE_VFORK`, until this returns; without it, until
/// the child has exited.
#[cfg(target_os = "linux")]
pub unsafe fn clone_blocked(
    child: extern "C" fn(*mut libc::c_void) -> libc::c_int,
    stack: &mut Stack,
    flags: libc::c_int,
    arg: *mut libc::c_void,
) -> io::Result<i32> {
    // SAFETY: sigset_t is plain data; sigfillset and pthread_sigmask only write the sets given.
    let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe {
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
    }
    // SAFETY: as the caller promises.
    let pid = unsafe { libc::clone(child, stack.top(), flags, arg) };
    let err = io::Error::last_os_error();
    // SAFETY: restores the mask saved above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
    if pid < 0 {
        return Err(err);
    }
    Ok(pid)
}

/// A pipe whose both ends close on `exec`: (read, write).
pub fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two new descriptors into `fds`.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// System call `n` with up to four arguments; the kernel's return value (a negative errno on
/// failure).
///
/// # Safety
/// `n` and its arguments must make a valid system call: pointers valid for what it reads and
/// writes.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub unsafe fn sys(n: libc::c_long, a: usize, b: usize, c: usize, d: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller passes a valid system call; `syscall` clobbers rcx and r11 only.
    unsafe {
        std::arch::asm!(
            "syscall",
            inlateout("rax") n as isize => ret,
            in("rdi") a,
            in("rsi") b,
            in("rdx") c,
            in("r10") d,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

/// See the x86-64 version.
///
/// # Safety
/// As there.
#[cfg(all(target_os = "linux", target_arch = "aarch64"))]
pub unsafe fn sys(n: libc::c_long, a: usize, b: usize, c: usize, d: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller passes a valid system call.
    unsafe {
        std::arch::asm!(
            "svc 0",
            in("x8") n,
            inlateout("x0") a as isize => ret,
            in("x1") b,
            in("x2") c,
            in("x3") d,
            options(nostack),
        );
    }
    ret
}
