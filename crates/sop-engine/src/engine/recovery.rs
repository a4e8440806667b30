//! Picking up a run whose process died: the lapsed lease is taken over and the step it left
//! running is decided by the machine (re-run if idempotent, else `waiting`/`interrupted`).
//!
//! The step's process group was written in the transaction that started it, before its command
//! could run, and the lease owner names the host it runs on. On this host the group is stopped
//! (SIGTERM, SIGKILL after the grace period) and gone before the takeover commits, so a re-run
//! never overlaps the old attempt. A group on another host cannot be signalled from here: the
//! audit entry says so, and the idempotency rule alone decides the step's fate.
//!
//! A recovery is written once. Several processes may find one run lapsed at the same time (the
//! surviving nodes of a cluster); the one that loses the race reads the run again and, finding
//! it recovered, writes nothing (see [`commit_while`]).

use super::Engine;
use super::commit::{Change, LeaseUse, commit_while};
use super::lease;
use super::tracked::Tracked;
use crate::executor::{Termination, terminate_group};
use sop_core::run::{RunEvent, RunStatus};

/// Whether `t` was left behind by a process that is gone.
pub fn needs_recovery(eng: &Engine, t: &Tracked) -> bool {
    if t.run.status.is_terminal() {
        return false;
    }
    let unowned_but_running = t.run.lease_owner.is_none() && t.run.status == RunStatus::Running;
    unowned_but_running || lease::lapsed(&t.run, &eng.owner, eng.clock.now())
}

/// Recovers `t` if its lease lapsed; true when this process did. A step process the dead owner
/// left behind on this host is stopped first; fails, taking nothing over, when it cannot be.
/// False, with `t` read again, when another process recovered the run first.
pub fn recover(eng: &Engine, t: &mut Tracked) -> crate::Result<bool> {
    if !needs_recovery(eng, t) {
        return Ok(false);
    }
    let change = takeover(eng, t)?;
    // Asked again after every lost race: the run as it is now, not as it was first read.
    if commit_while(eng, t, &change, needs_recovery)?.is_none() {
        return Ok(false);
    }
    eng.events.recovered(t);
    Ok(true)
}

/// The takeover of `t` as recorded: the previous owner, the interrupted step, what became of
/// the process it left behind, and what becomes of the step.
fn takeover(eng: &Engine, t: &Tracked) -> crate::Result<Change> {
    let mut change = Change::new(RunEvent::LeaseLapsed, LeaseUse::Take);
    if let Some(owner) = &t.run.lease_owner {
        change = change.detail("previous_owner", owner.as_str());
    }
    if let Some(step) = t.view.running_step().map(|s| s.number) {
        change = change.detail("interrupted_step", step);
        let pgid = t.step_record(step).and_then(|s| s.process_group);
        if let Some(pgid) = pgid.filter(|p| *p > 1) {
            let (host, what) = stop_orphan(eng, t, step, pgid)?;
            change = change
                .detail("orphan_process_group", pgid)
                .detail("orphan_host", host)
                .detail("orphan", what);
        }
        let idempotent = t.view.step(step).is_some_and(|s| s.idempotent);
        change = change.reason(if idempotent {
            format!("recovered: step {step} is idempotent and runs again")
        } else {
            format!("step {step} was interrupted")
        });
    }
    Ok(change)
}

/// Stops the group `pgid` that step `step` was started in, when it runs on this host; returns
/// the host and what became of the group, as the audit entry records them.
fn stop_orphan(
    eng: &Engine,
    t: &Tracked,
    step: u32,
    pgid: i32,
) -> crate::Result<(String, &'static str)> {
    let here = lease::hostname();
    let host = t.run.lease_owner.as_deref().and_then(lease::owner_host);
    let Some(host) = host.filter(|h| *h == here) else {
        return Ok(match host {
            Some(host) => (host.to_string(), "on another host: not signalled"),
            None => ("unknown".to_string(), "host unknown: not signalled"),
        });
    };
    let what = match terminate_group(pgid, eng.tuning.executor.kill_grace) {
        Ok(Termination::AlreadyGone) => "already gone",
        Ok(Termination::Terminated) => "terminated",
        Ok(Termination::Killed) => "killed",
        // The group exists but is not this user's: the number was reused, nothing of ours runs.
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => "not ours: not signalled",
        Err(e) => {
            return Err(crate::Error::conflict(format!(
                "step {step} of run {} still runs in process group {pgid} and could not be \
                 stopped ({e}); the run is not taken over while it runs",
                t.id()
            )));
        }
    };
    Ok((host.to_string(), what))
}

#[cfg(test)]
mod tests;
