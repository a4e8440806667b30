//! Picking up a run whose process died: the lapsed lease is taken over and the step it left
//! running is decided by the machine (re-run if idempotent, else `waiting`/`interrupted`).

use super::Engine;
use super::commit::{Change, LeaseUse, commit};
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

/// Recovers `t` if its lease lapsed; true when it did. A step process the dead owner left
/// behind is stopped first, so a re-run never overlaps it.
pub fn recover(eng: &Engine, t: &mut Tracked) -> crate::Result<bool> {
    if !needs_recovery(eng, t) {
        return Ok(false);
    }
    let mut change = Change::new(RunEvent::LeaseLapsed, LeaseUse::Take);
    if let Some(owner) = &t.run.lease_owner {
        change = change.detail("previous_owner", owner.as_str());
    }
    if let Some(step) = t.view.running_step().map(|s| s.number) {
        change = change.detail("interrupted_step", step);
        let pgid = t.step_record(step).and_then(|s| s.process_group);
        if let Some(pgid) = pgid.filter(|p| *p > 1) {
            let ended = terminate_group(pgid, eng.tuning.executor.kill_grace);
            let what = match ended {
                Ok(Termination::AlreadyGone) => "already gone",
                Ok(Termination::Terminated) => "terminated",
                Ok(Termination::Killed) => "killed",
                Err(_) => "could not be signalled",
            };
            change = change
                .detail("orphan_process_group", pgid)
                .detail("orphan", what);
        }
        let idempotent = t.view.step(step).is_some_and(|s| s.idempotent);
        change = change.reason(if idempotent {
            format!("recovered: step {step} is idempotent and runs again")
        } else {
            format!("step {step} was interrupted")
        });
    }
    commit(eng, t, &change)?;
    eng.events.recovered(t);
    Ok(true)
}
