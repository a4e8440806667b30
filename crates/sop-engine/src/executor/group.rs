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

/// How long processes that got SIGKILL may take to be gone before [`terminate_group`] gives up:
/// only a process stuck in the kernel (uninterruptible I/O) takes longer.
const KILL_WAIT: Duration = Duration::from_secs(10);

/// Stops a step running in process group `pgid`, possibly owned by another `sop` process:
/// SIGTERM to the whole group, SIGKILL to whatever is left after `grace`, and returns once
/// nothing of the group runs any more. `sop cancel` and recovery call it with the group the
/// engine recorded; the executor calls it when an attempt ends, for what the step left behind.
///
/// Processes that have exited but are not yet reaped (zombies) do not count as running. Fails
/// (`TimedOut`) when something still runs [`KILL_WAIT`] after SIGKILL.
pub fn terminate_group(pgid: i32, grace: Duration) -> io::Result<Termination> {
    if !signal_group(pgid, libc::SIGTERM)? {
        return Ok(Termination::AlreadyGone);
    }
    if gone_within(pgid, grace)? {
        return Ok(Termination::Terminated);
    }
    if !signal_group(pgid, libc::SIGKILL)? {
        return Ok(Termination::Terminated);
    }
    if gone_within(pgid, KILL_WAIT)? {
        return Ok(Termination::Killed);
    }
    Err(io::Error::new(
        io::ErrorKind::TimedOut,
        format!("process group {pgid} still runs {KILL_WAIT:?} after SIGKILL"),
    ))
}

/// Waits up to `limit` for group `pgid` to have nothing running; true when it got there.
fn gone_within(pgid: i32, limit: Duration) -> io::Result<bool> {
    let until = Instant::now() + limit;
    let mut pause = Duration::from_micros(200);
    loop {
        if !group_running(pgid)? {
            return Ok(true);
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Whether any process of group `pgid` is still running (zombies excluded where `/proc` tells).
fn group_running(pgid: i32) -> io::Result<bool> {
    if !signal_group(pgid, 0)? {
        return Ok(false);
    }
    Ok(live_members(pgid).unwrap_or(true))
}

/// Whether `/proc` lists a process of group `pgid` that is not a zombie; `None` when `/proc`
/// cannot be read.
fn live_members(pgid: i32) -> Option<bool> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        // A process may end between listing and reading: skip it.
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        if let Some((state, group)) = state_and_group(&stat)
            && group == pgid
            && state != 'Z'
            && state != 'X'
        {
            return Some(true);
        }
    }
    Some(false)
}

/// State and process group from a `/proc/PID/stat` line: `pid (comm) state ppid pgrp ...`,
/// where `comm` may itself contain spaces and parentheses.
fn state_and_group(stat: &str) -> Option<(char, i32)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let _ppid = fields.next()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((state, pgrp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_state_and_group_from_proc_stat() {
        assert_eq!(
            state_and_group("42 (a (b) c) Z 1 4242 4242 0 -1"),
            Some(('Z', 4242))
        );
        assert_eq!(state_and_group("garbage"), None);
    }
}
