//! Creating a run: snapshot, variables, conditions and forced starts recorded, `concurrency`
//! enforced (refused, or the run recorded `queued`), an event trigger's cooldown held and its
//! outcome recorded, and the first step started, all in one transaction.

use super::commit::{Change, LeaseUse, write};
use super::queue::{QueuePlace, conditions_detail};
use super::snapshot::Snapshot;
use super::tracked::Tracked;
use super::{Engine, redact, workdir};
use crate::ops::DuplicateDelivery;
use crate::{Error, ErrorKind};
use serde_json::{Map, Value, json};
use sop_core::condition::Verdict;
use sop_core::definition::{OnLimit, Sop};
use sop_core::gate::{GatePlan, PriorityModes};
use sop_core::run::{Action, Decision, RunEvent, RunStatus, next};
use sop_store::{
    AuditEvent, Delivery, EventOutcome, EventOutcomeKind, NewRun, NewStep, RunFilter, ScheduleFire,
    StoreError, StoreExt, Tx,
};
use std::path::Path;

/// Everything a new run starts from.
pub struct NewRunRequest<'a> {
    pub sop: &'a Sop,
    pub snapshot: &'a Snapshot,
    /// The SOP's folder, which a relative `workdir` is relative to.
    pub folder: &'a Path,
    pub variables: Map<String, Value>,
    pub trigger_type: &'a str,
    pub trigger_detail: Value,
    pub verdict: &'a Verdict,
    /// The resolved mode and gates; the run records the mode and keeps it.
    pub plan: &'a GatePlan,
    /// The `priority_based` mapping the mode was resolved with.
    pub modes: &'a PriorityModes,
    /// Why the start had to be forced (`--force`); empty when it did not.
    pub forced: Vec<String>,
    /// Record the run and leave it `pending` for a server.
    pub detach: bool,
    /// Recorded with the run; a key seen within the delivery window refuses the start.
    pub delivery_key: Option<&'a str>,
    /// The cron tick this run is for: recorded (or, when queued, settled) under its fire key
    /// in the run's transaction; a tick decided already refuses the start.
    pub fire: Option<&'a ScheduleFire>,
    /// The event trigger this start answers, if any.
    pub event: Option<&'a EventStart>,
}

/// A start by an event trigger: the run is recorded as the event's outcome for that trigger in
/// its creating transaction, so two events racing through one cooldown start one run.
#[derive(Debug, Clone)]
pub struct EventStart {
    pub event_id: u64,
    /// The trigger's position in `[[triggers]]`.
    pub trigger: u32,
    pub cooldown: Option<chrono::TimeDelta>,
}

/// The trigger's cooldown, begun by an earlier start, still runs.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the trigger's cooldown runs until {} (it began when event #{} started run {})",
    until.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    last.event_id,
    last.run_id.as_deref().unwrap_or("?")
)]
pub struct CooldownHeld {
    /// The start that began the cooldown.
    pub last: EventOutcome,
    pub until: chrono::DateTime<chrono::Utc>,
}

/// A start for a cron tick some writer decided already (another server, or before a restart).
#[derive(Debug, Clone, thiserror::Error)]
#[error("the tick {scheduled_at} of `{sop}` ({trigger}) was decided already")]
pub struct TickDecided {
    pub sop: String,
    pub trigger: String,
    pub scheduled_at: String,
}

/// A new run and what this process should do with it next.
pub struct Created {
    pub tracked: Tracked,
    /// `None` when nothing is to be driven (skipped or detached).
    pub action: Option<Action>,
    /// The detail of the `run.conditions` entry written with the run: what its document shows
    /// as the conditions, without reading the entry back.
    pub conditions: Value,
    /// Where the run waits when it was recorded `queued` (`on_limit = "queue"`).
    pub queued: Option<QueuePlace>,
}

/// A second active run of an SOP whose `concurrency` is used up.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct ConcurrencyRefused(String);

pub fn create(eng: &Engine, req: &NewRunRequest) -> crate::Result<Created> {
    let sop = req.sop;
    let meta = &sop.meta;
    let plan = req.plan;
    let starts = req.verdict.met || !req.forced.is_empty();
    // A run left for a server or skipped runs nothing now.
    let starts_now = starts && !req.detach;
    let dir = workdir::for_new_run(req.folder, meta.workdir.as_deref(), eng.dirs, starts_now)?;
    let now = eng.clock.now();
    let result = eng.store.transaction(|tx| {
        if let Some(key) = req.delivery_key
            && let Some(first) = tx.delivery(key, now - crate::ops::DELIVERY_WINDOW)?
        {
            return Err(StoreError::abort(DuplicateDelivery {
                run_id: first.run_id,
            }));
        }
        if let Some(ev) = req.event {
            check_cooldown(tx, sop, ev, now)?;
        }
        // A start its conditions skip takes no place: it is recorded `skipped` whatever the
        // limit (a resolved alert is answered `200` like any other), and never queues.
        let queue = match meta.concurrency {
            Some(limit) if starts => check_concurrency(tx, sop, limit)?,
            _ => None,
        };
        let run = tx.insert_run(&NewRun {
            sop_name: meta.name.clone(),
            definition_hash: req.snapshot.content_hash(),
            definition_snapshot: req.snapshot.encode(),
            execution_mode: plan.resolution.mode,
            status: if queue.is_some() {
                RunStatus::Queued
            } else {
                RunStatus::Pending
            },
            reason: queue.map(|limit| {
                format!("waiting for a place: `concurrency = {limit}` runs are active")
            }),
            trigger_type: req.trigger_type.to_string(),
            trigger_detail: req.trigger_detail.clone(),
            started_by: eng.actor.clone(),
            variables: Value::Object(req.variables.clone()),
            created_at: now,
            workdir: Some(dir.display().to_string()),
            forced: !req.forced.is_empty(),
            // A forced start was started against its conditions on purpose: they are not
            // asked again when its place comes.
            conditions_due: queue.is_some() && req.forced.is_empty(),
            steps: sop
                .steps
                .iter()
                .map(|s| NewStep {
                    number: s.number,
                    title: s.title.clone(),
                })
                .collect(),
        })?;
        if let Some(key) = req.delivery_key {
            tx.insert_delivery(&Delivery {
                key: key.to_string(),
                run_id: run.id.clone(),
                received_at: now,
            })?;
        }
        if let Some(fire) = req.fire {
            record_fire(tx, eng, fire, &run.id, now)?;
        }
        if let Some(ev) = req.event {
            tx.insert_event_outcome(&EventOutcome {
                event_id: ev.event_id,
                sop: meta.name.clone(),
                trigger: ev.trigger,
                outcome: if starts {
                    EventOutcomeKind::Started
                } else {
                    EventOutcomeKind::Skipped
                },
                run_id: Some(run.id.clone()),
                reason: (!starts).then(|| "the SOP's conditions do not hold".to_string()),
                decided_at: now,
            })?;
        }
        let steps = tx.steps(&run.id)?;
        let t = Tracked::build(eng, run, steps, Vec::new(), sop.clone(), plan.clone());
        let mut conditions = Value::Null;
        for entry in creation_entries(eng, &t, req) {
            let written = tx.audit(&eng.stamp(entry))?;
            if written.kind == "run.conditions" {
                conditions = written.detail;
            }
        }
        if let Some(limit) = queue {
            let place = QueuePlace::read(tx, sop.name(), limit)?;
            tx.audit(&eng.stamp(AuditEvent::new(
                now,
                Some(t.id()),
                eng.actor.as_str(),
                "run.queued",
                place.detail(),
            )))?;
            return Ok((t, None, conditions, Some(place)));
        }
        let decided = if !starts {
            let change = Change::new(RunEvent::ConditionsUnmet, LeaseUse::Untouched)
                .reason("conditions not met");
            Some((decide(&t, change.event, now)?, change))
        } else if req.detach {
            None
        } else {
            let change = Change::new(RunEvent::Start, LeaseUse::Take);
            Some((decide(&t, change.event, now)?, change))
        };
        let Some((decision, change)) = decided else {
            return Ok((t, None, conditions, None));
        };
        let written = write(tx, eng, &t, &decision, &change, now, None)?;
        Ok((t, Some((decision, written)), conditions, None))
    });
    let (mut tracked, decided, conditions, queued) = match result {
        Ok(v) => v,
        Err(e) => {
            workdir::remove(&dir);
            if let Some(refused) = e.aborted::<ConcurrencyRefused>() {
                return Err(
                    Error::conflict(refused.0.clone()).with_remedy(crate::Remedy::WaitOrCancel)
                );
            }
            if let Some(held) = e.aborted::<CooldownHeld>() {
                return Err(Error::with_source(ErrorKind::Refused, held.clone()));
            }
            if let Some(dup) = e.aborted::<DuplicateDelivery>() {
                return Err(Error::with_source(ErrorKind::Conflict, dup.clone()));
            }
            if let Some(decided) = e.aborted::<TickDecided>() {
                return Err(Error::with_source(ErrorKind::Conflict, decided.clone()));
            }
            return Err(e.into());
        }
    };
    let action = decided.map(|(decision, written)| {
        super::commit::absorb(eng, &mut tracked, written, &decision);
        decision.action
    });
    Ok(Created {
        tracked,
        action,
        conditions,
        queued,
    })
}

/// Records the tick `fire` as having started `run_id`: settles it when it was queued, else
/// takes its fire key; a key taken already aborts the start.
fn record_fire(
    tx: &mut dyn Tx,
    eng: &Engine,
    fire: &ScheduleFire,
    run_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> sop_store::Result<()> {
    let key = (
        fire.sop_name.as_str(),
        fire.trigger_key.as_str(),
        fire.scheduled_at,
    );
    let recorded = tx.settle_schedule_fire(key, fire.decision, Some(run_id), now)? || {
        let mut row = fire.clone();
        row.run_id = Some(run_id.to_string());
        row.recorded_at = now;
        tx.insert_schedule_fire(&row)?
    };
    if !recorded {
        return Err(StoreError::abort(TickDecided {
            sop: fire.sop_name.clone(),
            trigger: fire.trigger_key.clone(),
            scheduled_at: fire.scheduled_at.to_rfc3339(),
        }));
    }
    tx.audit(&eng.stamp(AuditEvent::new(
        now,
        Some(run_id),
        eng.actor.as_str(),
        fire.decision.audit_kind(),
        crate::ops::fire_detail(fire),
    )))?;
    Ok(())
}

fn decide(
    t: &Tracked,
    event: RunEvent,
    now: chrono::DateTime<chrono::Utc>,
) -> sop_store::Result<Decision> {
    next(&t.view, event, now).map_err(StoreError::abort)
}

/// Holds back a start while the trigger's cooldown runs from its newest start.
fn check_cooldown(
    tx: &mut dyn Tx,
    sop: &Sop,
    ev: &EventStart,
    now: chrono::DateTime<chrono::Utc>,
) -> sop_store::Result<()> {
    let Some(cooldown) = ev.cooldown else {
        return Ok(());
    };
    if let Some(last) = tx.last_event_start(sop.name(), ev.trigger)? {
        let until = last.decided_at + cooldown;
        if now < until {
            return Err(StoreError::abort(CooldownHeld { last, until }));
        }
    }
    Ok(())
}

/// Refuses a run beyond the SOP's `concurrency`, or with `on_limit = "queue"` says it queues
/// (`Some(limit)`); runs in the same transaction as the insert, after
/// [`Tx::lock_concurrency`], so two starts racing (or a start racing a run that ends) cannot
/// both see one free place.
fn check_concurrency(tx: &mut dyn Tx, sop: &Sop, limit: u32) -> sop_store::Result<Option<u32>> {
    tx.lock_concurrency(sop.name())?;
    let active = tx.count_active_runs(sop.name())?;
    if active < u64::from(limit) {
        return Ok(None);
    }
    if sop.meta.on_limit == OnLimit::Queue {
        return Ok(Some(limit));
    }
    let filter = RunFilter {
        sop_name: Some(sop.name().to_string()),
        statuses: RunStatus::ALL
            .into_iter()
            .filter(|s| s.is_active())
            .collect(),
        limit: 3,
    };
    let runs: Vec<String> = tx
        .list_runs(&filter)?
        .iter()
        .map(|r| format!("{} ({})", r.id, r.status))
        .collect();
    let noun = if limit == 1 { "run" } else { "runs" };
    Err(StoreError::abort(ConcurrencyRefused(format!(
        "`{}` allows {limit} active {noun} at a time (concurrency = {limit}) and has {active}: {}",
        sop.name(),
        runs.join(", ")
    ))))
}

/// `run.created`, `run.conditions` and, when forced, `run.forced`.
fn creation_entries(eng: &Engine, t: &Tracked, req: &NewRunRequest) -> Vec<AuditEvent> {
    let now = t.run.created_at;
    let entry = |kind: &str, detail: Value| {
        AuditEvent::new(now, Some(t.id()), eng.actor.as_str(), kind, detail)
    };
    let declared = redact::declared_secrets(req.sop);
    let mut out = vec![
        entry(
            "run.created",
            json!({
                "sop": t.run.sop_name,
                "trigger": {"type": req.trigger_type, "detail": req.trigger_detail},
                "definition_hash": t.run.definition_hash,
                "started_by": t.run.started_by,
                "variables": redact::redact_declared(&Value::Object(req.variables.clone()), &declared),
                "workdir": t.run.workdir,
                "detached": req.detach,
                "mode": mode_detail(req),
            }),
        ),
        entry(
            "run.conditions",
            conditions_detail(req.sop, &req.variables, req.verdict),
        ),
    ];
    if !req.forced.is_empty() {
        out.push(entry("run.forced", json!({"reasons": req.forced})));
    }
    out
}

/// The mode the run records: as declared, as resolved, and for `priority_based` the mapping
/// that resolved it, so the audit trail explains the gates even after the mapping changes.
fn mode_detail(req: &NewRunRequest) -> Value {
    let resolution = &req.plan.resolution;
    let mut detail = json!({
        "declared": resolution.declared,
        "resolved": resolution.mode,
    });
    if resolution.via_priority() {
        detail["priority_modes"] = json!(req.modes.to_string());
    }
    detail
}
