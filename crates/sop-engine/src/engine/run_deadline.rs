//! A run's `timeout` applied: the change that times a run out, and applying it to runs no live
//! process drives (waiting at a gate or a manual step, paused, pending, or left by a process
//! that died). A run a live process drives is that process's to time out — its step's attempt
//! ends at the deadline — and only once the deadline is [`grace`] past does anyone else step
//! in, as `sop cancel` does for a run driven elsewhere.
//!
//! Applied lazily by every command that loads a run (like gate deadlines), and on time by the
//! server's deadline timer.

use super::change::{Change, LeaseUse, StepRecord};
use super::{Engine, Tracked, commit, lease};
use crate::executor::terminate_group;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use sop_core::run::{Action, RunEvent, due_for_bystander};
use sop_store::RunDeadline;

/// The reason a timed-out run records.
pub const REASON: &str = "timeout";

/// How many of the soonest deadlines one sweep looks at.
const SWEEP_LIMIT: u32 = 100;

/// How long past the deadline a run driven by a live process is left to it: its step's attempt
/// ends at the deadline, is killed within the kill grace, and is committed well within a lease.
pub fn grace(eng: &Engine) -> TimeDelta {
    TimeDelta::from_std(eng.tuning.executor.kill_grace).unwrap_or_default() + eng.tuning.lease_ttl()
}

/// The `TimedOut` change of `t`, with the limit and the instant it was counted from in the
/// audit detail; `record` is what the stopped step left, when its driver reports it.
pub fn change(t: &Tracked, lease: LeaseUse, record: Option<StepRecord>) -> Change {
    let stamp = |d: DateTime<Utc>| d.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    let mut change = Change::new(RunEvent::TimedOut, lease).reason(REASON);
    if let Some(limit) = t.sop.meta.run_timeout {
        change = change.detail("timeout", limit.to_string());
        if let Some(deadline) = t.run.deadline {
            change = change
                .detail("deadline", stamp(deadline))
                .detail("counted_from", stamp(deadline - limit.as_chrono()));
        }
    }
    if let Some(step) = t.view.running_step().or_else(|| t.view.waiting_step()) {
        change = change.detail("stopped_step", step.number);
    }
    change.record = record;
    change
}

/// Times `t` out if its deadline has passed and nobody alive drives it (or its driver is
/// [`grace`] late); true when it did. A running step's process group is stopped from here
/// when nobody else would (see [`lease::signalled_here`]), SIGTERM then SIGKILL after the
/// kill grace, exactly as on cancel.
pub fn apply(eng: &Engine, t: &mut Tracked) -> crate::Result<bool> {
    let now = eng.clock.now();
    let Some(deadline) = t.run.deadline else {
        return Ok(false);
    };
    if t.run.status.is_terminal() {
        return Ok(false);
    }
    let owner = t.run.lease_owner.as_deref();
    let driven = lease::driven(owner, t.run.lease_expires_at, now);
    if !due_for_bystander(deadline, now, driven, grace(eng)) {
        return Ok(false);
    }
    let pgid = t
        .view
        .running_step()
        .and_then(|s| t.step_record(s.number))
        .and_then(|s| s.process_group)
        .filter(|p| *p > 1 && lease::signalled_here(owner));
    let decision = match commit(eng, t, &change(t, LeaseUse::Untouched, None)) {
        Ok(d) => d,
        // Another process (a server's timer, a node, the driver itself) ended the run first:
        // reading it is not an error.
        Err(e) if e.kind == crate::ErrorKind::Conflict => {
            t.reload(eng)?;
            return Ok(false);
        }
        Err(e) => return Err(e),
    };
    if let (Action::Kill { step }, Some(pgid)) = (decision.action, pgid)
        && let Err(e) = terminate_group(pgid, eng.tuning.executor.kill_grace)
    {
        eng.events.warning(&format!(
            "run {}: cannot stop step {step}'s processes (group {pgid}): {e}",
            t.id()
        ));
    }
    Ok(true)
}

/// When a bystander would next act on `d` (its deadline, or that plus [`grace`] while a live
/// process drives the run).
pub fn due_at(eng: &Engine, d: &RunDeadline, now: DateTime<Utc>) -> DateTime<Utc> {
    if lease::driven(d.lease_owner.as_deref(), d.lease_expires_at, now) {
        d.deadline + grace(eng)
    } else {
        d.deadline
    }
}

/// The soonest instant at which some run's deadline is due to be applied by a bystander.
pub fn next_due(eng: &Engine) -> crate::Result<Option<DateTime<Utc>>> {
    let now = eng.clock.now();
    Ok(eng
        .store
        .run_deadlines(SWEEP_LIMIT)?
        .iter()
        .map(|d| due_at(eng, d, now))
        .min())
}

/// Applies every run deadline that is due, across all runs; returns how many runs timed out.
pub fn sweep(eng: &Engine) -> crate::Result<usize> {
    let now = eng.clock.now();
    let mut timed_out = 0;
    for d in eng.store.run_deadlines(SWEEP_LIMIT)? {
        if d.deadline > now {
            break;
        }
        if due_at(eng, &d, now) > now {
            continue;
        }
        // Loading a run applies its deadline (after recovering it if its process died).
        match eng.load(&d.id) {
            Ok(t) if t.run.status.is_terminal() => timed_out += 1,
            Ok(_) => {}
            // Another process (a node sharing the database) moved it first.
            Err(e) if e.kind == crate::ErrorKind::Conflict => {}
            Err(e) => return Err(e),
        }
    }
    Ok(timed_out)
}
