//! One event, one transaction: the machine's decision, the run and step changes, the audit
//! entries and the lease are written together or not at all.
//!
//! Writes are compare-and-set on the run's version. When another process changed the run
//! meanwhile (a `sop pause` or `sop cancel`), the run is read again and the same event decided
//! anew on what is really there.

pub use super::change::{Change, LeaseUse, StepRecord};
use super::launch::{self, HoldWhen, Launch};
use super::tracked::Tracked;
use super::{Engine, audit_entries, gates, handoff, lease, queue, recovery, workdir};
use crate::approval::outbox::{self, IssuedToken};
use crate::{Error, ErrorKind};
use chrono::{DateTime, Utc};
use sop_core::run::{Action, Decision, RunEvent, RunStatus, StepStatus, TransitionError, next};
use sop_store::{Expect, Gate, RunPatch, RunState, StepPatch, StepRun, StoreError, StoreExt, Tx};

/// Gives up deciding after this many lost races in a row.
const MAX_TRIES: u32 = 8;

/// What one transaction wrote, to bring [`Tracked`] up to date without reading it back.
pub(crate) struct Written {
    run: RunState,
    steps: Vec<StepRun>,
    gates: Vec<Gate>,
    /// Tokens of the gates opened, delivered once the transaction committed.
    tokens: Vec<IssuedToken>,
    /// The attempt this transaction started: its process group, made before the commit, and
    /// nothing of it started yet.
    launch: Option<Launch>,
    /// Queued runs of the SOP this transaction moved up (to `pending`) as the run ended.
    dequeued: Vec<String>,
}

/// The decision needs a process to drive the run, and this one does not hold the lease.
#[derive(Debug, thiserror::Error)]
#[error("this process does not hold the run's lease")]
pub struct NeedsLease;

/// The lease was free to take only because its owner died: the run must be recovered first.
#[derive(Debug, thiserror::Error)]
#[error("the run's previous owner is gone; it must be recovered first")]
struct NeedsRecovery;

/// Decides `change.event` on the run and stores the outcome. An illegal event is a failure
/// (exit 1) that names the run's real state.
pub fn commit(eng: &Engine, t: &mut Tracked, change: &Change) -> crate::Result<Decision> {
    commit_while(eng, t, change, |_, _| true)?.ok_or_else(|| {
        crate::Error::conflict(format!("run {} did not take {}", t.id(), change.event))
    })
}

/// [`commit`], asking `wanted` before each try whether the change is still to be made on the run
/// as last read; `None`, writing nothing, once it is not. A lost race re-decides the event on
/// the fresh run, which for some changes would record one that never happened: a recovery
/// that another process made first would be written again (`waiting → waiting`).
pub fn commit_while(
    eng: &Engine,
    t: &mut Tracked,
    change: &Change,
    wanted: impl Fn(&Engine, &Tracked) -> bool,
) -> crate::Result<Option<Decision>> {
    for _ in 0..MAX_TRIES {
        if !wanted(eng, t) {
            return Ok(None);
        }
        let now = eng.clock.now();
        let mut decision = next(&t.view, change.event, now).map_err(refusal)?;
        let handed;
        let change = if eng.hand_off && change.lease == LeaseUse::Take && drives(&decision) {
            decision = handoff::leave_pending(decision);
            handed = handoff::change(change);
            &handed
        } else if eng.stop.draining() && change.lease != LeaseUse::Untouched && drives(&decision) {
            // A server stopping starts no new step: the run waits, `pending`, at the one it
            // would have started, for the next server to go on with.
            decision = handoff::leave_pending(decision);
            handed = handoff::stopping(change);
            &handed
        } else {
            change
        };
        // The attempt this decision starts is prepared (its group made, its first process
        // started and held) before the transaction, which then only records it: no other
        // run's commit waits behind a process start.
        let launch = match decision.action {
            Action::Execute { step, attempt } => Some(launch::prepare_or_ahead(
                eng,
                t,
                step,
                attempt,
                change.record.as_ref(),
            )),
            _ => {
                t.launch.drop_ahead();
                None
            }
        };
        let result = eng
            .store
            .transaction(|tx| write(tx, eng, t, &decision, change, now, launch.as_ref()));
        match result {
            Ok(written) => {
                absorb(eng, t, written, &decision);
                if let Some(launch) = launch {
                    t.launch.put(launch);
                }
                return Ok(Some(decision));
            }
            Err(e) if e.is_conflict() => t.reload(eng)?,
            Err(e) if e.aborted::<NeedsLease>().is_some() => {
                return Err(Error::with_source(ErrorKind::Conflict, NeedsLease));
            }
            Err(e) if e.aborted::<NeedsRecovery>().is_some() => {
                t.reload(eng)?;
                recovery::recover(eng, t)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(crate::Error::conflict(format!(
        "run {} kept changing while this command tried to {}; try again",
        t.id(),
        change.event
    )))
}

/// Whether the decision needs a process to go on driving the run.
pub(crate) fn drives(decision: &Decision) -> bool {
    matches!(
        decision.action,
        Action::Execute { .. } | Action::Backoff { .. } | Action::CheckCondition { .. }
    )
}

/// An illegal transition, as the person who asked sees it.
pub fn refusal(e: TransitionError) -> crate::Error {
    Error::conflict(e.to_string())
}

/// Writes `decision` in `tx`. Shared by [`commit`] and run creation. `prepared` is the attempt
/// the decision starts, when it was prepared before the transaction; otherwise it is prepared
/// here and returned in [`Written::launch`].
pub(crate) fn write(
    tx: &mut dyn Tx,
    eng: &Engine,
    t: &Tracked,
    decision: &Decision,
    change: &Change,
    now: DateTime<Utc>,
    prepared: Option<&Launch>,
) -> sop_store::Result<Written> {
    let id = t.id();
    let drives = drives(decision);
    if drives && change.lease == LeaseUse::Untouched {
        return Err(StoreError::abort(NeedsLease));
    }
    let owner = eng.owner.as_str();
    let until = now + eng.tuning.lease_ttl();
    match change.lease {
        LeaseUse::Take => {
            let at = lease::takeover_instant(&t.run, &eng.owner, now);
            let grant = tx.acquire_lease(id, owner, at, until.max(at))?;
            if grant.took_over() && change.event != RunEvent::LeaseLapsed {
                return Err(StoreError::abort(NeedsRecovery));
            }
            if !drives {
                tx.release_lease(id, owner)?;
            }
        }
        LeaseUse::Held if !drives => {
            tx.release_lease(id, owner)?;
        }
        LeaseUse::Held => {
            let renew_by = eng.tuning.lease_ttl() * 2 / 3;
            if t.run.lease_expires_at.is_none_or(|at| at - now < renew_by) {
                tx.renew_lease(id, owner, until)?;
            }
        }
        LeaseUse::Untouched => {}
    }

    let mut after = t.view.clone();
    after.apply(decision);
    let mut patch = RunPatch::status(decision.status);
    // A status written unchanged would still rewrite its entries in the run indexes that hold
    // it: pages the commit must write and flush for nothing.
    if decision.status == t.run.status {
        patch.status = None;
    }
    if !decision.is_noop(t.view.status) {
        patch.reason = Some(match (decision.wait_reason, decision.status) {
            (Some(w), _) => Some(w.as_str().to_string()),
            (None, RunStatus::Running | RunStatus::Succeeded | RunStatus::AwaitingApproval) => None,
            // A run that stays where it was (a paused run whose step ends) keeps the reason it
            // was given: the step's outcome is no reason of the run's.
            (None, status) if status == t.run.status && change.reason.is_none() => {
                t.run.reason.clone()
            }
            (None, _) => change.reason.clone(),
        });
    }
    // A cancelled run stays at the step it was stopped at: the first step not finished would
    // name one that never ran.
    let current = match decision.status {
        RunStatus::Failed => after.stopping_failure(),
        RunStatus::Cancelled => None,
        _ => after.current_step(),
    }
    .map(|s| s.number);
    if current.is_some() {
        patch.current_step = Some(current);
    }
    // A run starts at its first step or gate, as its deadline does (see `fresh_deadline`).
    let starts = decision
        .steps
        .iter()
        .any(|c| matches!(c.status, StepStatus::Running | StepStatus::Waiting))
        || decision.status == RunStatus::AwaitingApproval;
    if t.run.started_at.is_none() && starts {
        patch.started_at = Some(Some(now));
    }
    if let Some(deadline) = fresh_deadline(t, decision, now) {
        patch.deadline = Some(Some(deadline));
    }
    if decision.conditions_checked {
        patch.conditions_due = Some(false);
    }
    if decision.status.is_terminal() && !t.view.status.is_terminal() {
        patch.finished_at = Some(Some(now));
    } else if !decision.status.is_terminal() && t.run.finished_at.is_some() {
        patch.finished_at = Some(None);
    }
    let run = tx.update_run_state(id, &Expect::version(t.run.version), &patch)?;

    // An attempt this decision starts gets its process group now, so the group is written
    // with the step's new status: nothing of it runs before this commit is durable.
    let launch = match (prepared, decision.action) {
        (None, Action::Execute { step, attempt }) => Some(launch::prepare(
            eng,
            t,
            step,
            attempt,
            change.record.as_ref(),
            HoldWhen::Deferred,
        )),
        _ => None,
    };
    let mut steps = Vec::new();
    let mut recorded = false;
    for c in &decision.steps {
        let mut p = step_patch(c.status, c.attempt, now, t.step_record(c.step));
        if let Some(l) = prepared.or(launch.as_ref()).filter(|l| l.step == c.step) {
            p.process_group = Some(l.pgid());
        }
        if let Some(r) = change.record.as_ref().filter(|r| r.step == c.step) {
            merge_record(&mut p, r);
            recorded = true;
        }
        steps.push(tx.update_step(id, c.step, &p)?);
    }
    if let Some(r) = change.record.as_ref().filter(|_| !recorded) {
        let mut p = StepPatch::default();
        merge_record(&mut p, r);
        p.finished_at = Some(Some(now));
        steps.push(tx.update_step(id, r.step, &p)?);
    }

    let open: Vec<&Gate> = t.gates.iter().filter(|g| g.status.is_open()).collect();
    let mut opened =
        crate::approval::close::close_gates(tx, &open, decision, change.event, &eng.actor, now)?;
    let mut tokens = Vec::new();
    if let Action::AwaitGate { step } = decision.action {
        opened.push(gates::open(tx, eng, t, step, now, &mut tokens)?);
    }

    crate::notify::enqueue::enqueue(
        tx,
        eng,
        t,
        &crate::notify::enqueue::Announced {
            decision,
            gates: &opened,
            steps: &steps,
            failed_step: current.filter(|_| decision.status == RunStatus::Failed),
        },
        now,
    )?;

    let titles = |n: u32| t.step_def(n).map(|s| s.title.clone()).unwrap_or_default();
    for entry in audit_entries::entries(&t.view, decision, change, &titles, &eng.actor, now) {
        tx.audit(&eng.stamp(entry))?;
    }
    // A run that ends frees its place under `concurrency`: the queue moves up in this same
    // transaction, whoever ended it.
    let dequeued = if decision.status.is_terminal() && !t.view.status.is_terminal() {
        queue::promote(tx, eng, &t.run.sop_name, id, now)?
    } else {
        Vec::new()
    };
    Ok(Written {
        run,
        steps,
        gates: opened,
        tokens,
        launch,
        dequeued,
    })
}

/// The run's deadline, when this decision starts its `timeout`: the run begins executing (its
/// first step or gate; time spent `pending` does not count), or a person takes up a finished
/// run again (`sop retry`, `sop skip`), which gets its whole limit anew.
fn fresh_deadline(t: &Tracked, decision: &Decision, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let limit = t.sop.meta.run_timeout?;
    let executing = matches!(
        decision.status,
        RunStatus::Running | RunStatus::AwaitingApproval | RunStatus::Waiting
    );
    let begins = t.run.deadline.is_none() || t.view.status.is_terminal();
    (executing && begins).then(|| sop_core::run::run_deadline(now, limit))
}

/// Brings `t` up to date with a committed transaction, keeps the attempt it started for the
/// driver, and removes the working directory of a run that ended for good.
pub(crate) fn absorb(eng: &Engine, t: &mut Tracked, written: Written, decision: &Decision) {
    t.run.apply_state(written.run);
    for step in written.steps {
        t.put_step(step);
    }
    let dir = eng.settings.outbox_dir();
    for warning in outbox::deliver(dir.as_deref(), &written.tokens) {
        eng.events.warning(&warning);
    }
    for gate in written.gates {
        match t.gates.iter_mut().find(|g| g.id == gate.id) {
            Some(slot) => *slot = gate,
            None => t.gates.push(gate),
        }
    }
    t.view.apply(decision);
    t.view.deadline = t.run.deadline;
    if let Some(launch) = written.launch {
        t.launch.put(launch);
    }
    workdir::release(&t.run, eng.dirs);
    for run_id in &written.dequeued {
        eng.events.run_dequeued(t, run_id);
    }
}

/// The columns a step's new status implies.
fn step_patch(
    status: StepStatus,
    attempt: Option<u32>,
    now: DateTime<Utc>,
    before: Option<&StepRun>,
) -> StepPatch {
    let mut p = StepPatch::status(status);
    match status {
        StepStatus::Running => {
            p.attempts = attempt;
            p.started_at = Some(Some(now));
            p.finished_at = Some(None);
            p.exit_code = Some(None);
            p.duration_ms = Some(None);
            p.process_group = Some(None);
        }
        StepStatus::Waiting => {
            if before.is_none_or(|s| s.started_at.is_none()) {
                p.started_at = Some(Some(now));
            }
            p.process_group = Some(None);
        }
        StepStatus::Pending => p.process_group = Some(None),
        StepStatus::Succeeded
        | StepStatus::Failed
        | StepStatus::Skipped
        | StepStatus::Cancelled => {
            p.finished_at = Some(Some(now));
            p.process_group = Some(None);
        }
    }
    p
}

fn merge_record(p: &mut StepPatch, r: &StepRecord) {
    if r.exit_code.is_some() {
        p.exit_code = Some(r.exit_code);
    }
    if r.duration_ms.is_some() {
        p.duration_ms = Some(r.duration_ms);
    }
    if let Some(output) = &r.output {
        p.output = Some(output.clone());
    }
    if let Some(outputs) = &r.outputs {
        p.outputs = Some(outputs.clone());
    }
    if let Some(note) = &r.note {
        p.note = Some(Some(note.clone()));
    }
}
