//! Who may advance a run: the lease owner naming this process, and whether an owner is gone.
//!
//! An owner is `host/pid/nonce`. A lease lapses when its time is up, or at once when its owner
//! ran on this host and that process no longer exists (killed with `kill -9`), so a crash is
//! recovered by the next command instead of after the lease's full duration.

use chrono::{DateTime, Utc};
use rand::Rng;
use sop_store::Run;

/// A fresh lease owner name for one driver: this host and process, and a nonce that tells two
/// drivers of one process apart.
pub fn new_owner() -> String {
    let nonce: u32 = rand::rng().random();
    format!("{}/{}/{nonce:08x}", hostname(), std::process::id())
}

/// Whether `run`'s lease has lapsed at `now` for the driver named `me`: expired, or held by a
/// process of this host that is gone. A run without a lease has nothing to lapse.
pub fn lapsed(run: &Run, me: &str, now: DateTime<Utc>) -> bool {
    let Some(owner) = run.lease_owner.as_deref() else {
        return false;
    };
    if owner == me {
        return false;
    }
    run.lease_expires_at.is_none_or(|t| t <= now) || owner_is_gone(owner)
}

/// Whether a live driver holds the lease `owner` holds until `expires_at`: granted, not run
/// out at `now`, and not of a process of this host that is gone.
pub fn driven(owner: Option<&str>, expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    owner.is_some_and(|o| expires_at.is_some_and(|t| t > now) && !owner_is_gone(o))
}

/// Whether a running step's process group may be signalled from this process: nobody drives
/// the run, this process does, or its driver was on this host and is gone (nobody else would
/// stop what it left running). Elsewhere the driver stops its own step.
pub fn signalled_here(owner: Option<&str>) -> bool {
    match owner {
        None => true,
        Some(owner) => {
            is_this_process(owner)
                || (owner_host(owner) == Some(hostname().as_str()) && owner_is_gone(owner))
        }
    }
}

/// The instant to present to the store as "now" when taking over: a lease whose owner is gone
/// counts as lapsed already, whatever time it was granted until.
pub fn takeover_instant(run: &Run, me: &str, now: DateTime<Utc>) -> DateTime<Utc> {
    match run.lease_expires_at {
        Some(t) if t > now && lapsed(run, me, now) => t + chrono::TimeDelta::milliseconds(1),
        _ => now,
    }
}

/// The host an owner name (`host/pid/nonce`) names.
pub fn owner_host(owner: &str) -> Option<&str> {
    let mut parts = owner.split('/');
    let (Some(host), Some(_), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    Some(host)
}

/// Whether `owner` names a driver of this very process.
pub fn is_this_process(owner: &str) -> bool {
    let mut parts = owner.split('/');
    parts.next() == Some(hostname().as_str())
        && parts.next() == Some(std::process::id().to_string().as_str())
}

/// True only when `owner` names a process on this host that does not exist any more.
pub fn owner_is_gone(owner: &str) -> bool {
    let mut parts = owner.split('/');
    let (Some(host), Some(pid), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    if host != hostname() {
        return false;
    }
    let Ok(pid) = pid.parse::<i32>() else {
        return false;
    };
    if pid <= 1 {
        return false;
    }
    process_gone(pid)
}

/// Whether process `pid` of this host has ended: it does not exist, or it is a zombie (killed,
/// not yet reaped by its parent, which may take a while in a script or a test harness).
pub fn process_gone(pid: i32) -> bool {
    // The common case, a lease of another driver of this process, costs nothing.
    if u32::try_from(pid).is_ok_and(|p| p == std::process::id()) {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists; nothing is delivered.
    let rc = unsafe { libc::kill(pid, 0) };
    if rc != 0 {
        return std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
    }
    // `/proc/PID/stat`: `PID (COMM) STATE ...`; COMM may hold spaces and parentheses.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let after = &stat[stat.rfind(')')? + 1..];
            after.split_whitespace().next().map(|state| state == "Z")
        })
        .unwrap_or(false)
}

/// This machine's name, as leases and audit entries record it.
pub fn hostname() -> String {
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its whole length; gethostname NUL-terminates on success.
        let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
        let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
        let name = if rc == 0 {
            String::from_utf8_lossy(&buf[..end]).replace('/', "_")
        } else {
            String::new()
        };
        if name.is_empty() {
            "localhost".into()
        } else {
            name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_dead_pid_is_gone() {
        let me = new_owner();
        assert!(me.starts_with(&hostname()));
        assert!(!owner_is_gone(&me));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(owner_is_gone(&format!("{}/{pid}/0", hostname())));
        assert!(!owner_is_gone(&format!("elsewhere/{pid}/0")));
        assert!(!owner_is_gone("not an owner"));
    }

    #[test]
    fn a_killed_process_not_yet_reaped_is_gone() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        assert!(!process_gone(pid));
        child.kill().unwrap();
        // Not waited for: a zombie until reaped, which kill(pid, 0) alone calls alive.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !process_gone(pid) {
            assert!(
                std::time::Instant::now() < deadline,
                "{pid} never became gone"
            );
            std::thread::yield_now();
        }
        child.wait().unwrap();
    }
}
