//! Keeps the server's memory to itself. Steps run as the server's user, and such a process may
//! read another's `/proc/PID/environ` and memory: a step could take `SOP_API_TOKEN` or a
//! webhook's secret from its parent even though its own environment was cleared of them. A
//! process that is not "dumpable" has its `/proc` files owned by root and refuses `ptrace` from
//! its user; the processes it `exec`s are dumpable again, so steps are not affected. (A server
//! run as root protects nothing this way: root reads every process.)

/// Marks this process not dumpable (`PR_SET_DUMPABLE` 0): no core dumps, no `/proc` reads or
/// `ptrace` by the same user.
pub fn keep_private() -> std::io::Result<()> {
    // SAFETY: PR_SET_DUMPABLE takes one integer argument and touches no memory of ours.
    let rc = unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_is_no_longer_dumpable() {
        keep_private().unwrap();
        // SAFETY: PR_GET_DUMPABLE reads a flag of this process.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
    }
}
