//! Signals to a step's process group: stopping a step from this process or from another one.

use std::io;
use std::time::{Duration, Instant};

/// Sends `signal` to process group `pgid`. `Ok(false)` when the group no longer exists.
pub fn signal_group(pgid: i32, signal: i32) -> io::Result<bool> {
    check_pgid(pgid)?;
    // SAFETY: killpg has no memory-safety preconditions; pgid > 1 was checked above, so this
    // never signals our own group (0) or every process (-1).
    if unsafe { libc::killpg(pgid, signal) } == 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::ESRCH) {
        Ok(false)
    } else {
        Err(err)
    }
}

fn check_pgid(pgid: i32) -> io::Result<()> {
    if pgid <= 1 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{pgid} is not a step's process group"),
        ));
    }
    Ok(())
}

/// How [`terminate_group`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Termination {
    /// The group had already ended.
    AlreadyGone,
    /// SIGTERM was enough.
    Terminated,
    /// Something was still there after the grace period and got SIGKILL.
    Killed,
}

/// Stops a step running in process group `pgid`, possibly owned by another `sop` process:
/// SIGTERM to the whole group, then SIGKILL to whatever is left after `grace`. `sop cancel`
/// calls it with the pgid the running engine recorded.
///
/// A process that has exited but not yet been reaped by its parent still counts as present, so
/// a group whose parent is gone may be sent a harmless SIGKILL at the end of the grace period.
pub fn terminate_group(pgid: i32, grace: Duration) -> io::Result<Termination> {
    if !signal_group(pgid, libc::SIGTERM)? {
        return Ok(Termination::AlreadyGone);
    }
    let until = Instant::now() + grace;
    let mut pause = Duration::from_millis(1);
    while Instant::now() < until {
        if !signal_group(pgid, 0)? {
            return Ok(Termination::Terminated);
        }
        std::thread::sleep(pause.min(until.saturating_duration_since(Instant::now())));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
    Ok(if signal_group(pgid, libc::SIGKILL)? {
        Termination::Killed
    } else {
        Termination::Terminated
    })
}
