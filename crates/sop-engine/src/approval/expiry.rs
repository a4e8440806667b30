//! Failing closed at the deadline: a gate still open at or after it moves the run to `expired`
//! (or `cancelled` under `on_timeout = "cancel"`). Applied by every command that reads a run,
//! with the injected clock, so no timer has to be running for a deadline to hold.

use super::authority;
use crate::engine::{Change, Engine, LeaseUse, Tracked, commit};
use chrono::SecondsFormat;
use sop_core::gate::{GateStatus, gate_label};
use sop_core::run::{RunEvent, RunStatus};

/// Expires `t`'s open gate if its deadline has passed; true when it did.
pub fn apply(eng: &Engine, t: &mut Tracked) -> crate::Result<bool> {
    if t.run.status != RunStatus::AwaitingApproval {
        return Ok(false);
    }
    let now = eng.clock.now();
    let due = t.gates.iter().filter(|g| g.status.is_open()).find_map(|g| {
        let closes_as = authority::view(g, &[]).expiry(now)?;
        Some((g.step, g.expires_at, closes_as))
    });
    let Some((step, deadline, closes_as)) = due else {
        return Ok(false);
    };
    let deadline = deadline.map_or_else(
        || "its opening".to_string(),
        |d| d.to_rfc3339_opts(SecondsFormat::Secs, true),
    );
    let cancel = closes_as == GateStatus::Cancelled;
    let reason = format!(
        "{} was not decided by its deadline {deadline}{}",
        gate_label(step),
        if cancel {
            " (on_timeout = \"cancel\")"
        } else {
            ""
        }
    );
    let change = Change::new(RunEvent::GateExpired { step, cancel }, LeaseUse::Untouched)
        .detail("deadline", deadline)
        .reason(reason);
    commit(eng, t, &change)?;
    Ok(true)
}

/// Applies every deadline that has passed, across all runs (for `sop pending`).
pub fn sweep(eng: &Engine) -> crate::Result<usize> {
    let now = eng.clock.now();
    let mut expired = 0;
    for gate in eng.store.open_gates()? {
        if authority::view(&gate, &[]).expiry(now).is_none() {
            continue;
        }
        // Loading a run applies its deadline.
        let before = eng.store.run(&gate.run_id)?.status;
        let t = match eng.load(&gate.run_id) {
            Ok(t) => t,
            // Another process (a node sharing the database) expired it first: the run's
            // compare-and-set lets one write it.
            Err(e) if e.kind == crate::ErrorKind::Conflict => continue,
            Err(e) => return Err(e),
        };
        if t.run.status != before {
            expired += 1;
        }
    }
    Ok(expired)
}
