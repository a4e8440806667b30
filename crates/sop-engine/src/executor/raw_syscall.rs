//! System calls made directly, for a child that shares this process's memory (`clone` with
//! `CLONE_VM`) and so must not touch anything of the parent's, not even `errno` in the parent
//! thread's storage: it calls no libc function between the `clone` and its `exec` or exit.

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
