//! `on_limit = "queue"`: a run recorded beyond its SOP's `concurrency` waits `queued`; it is
//! moved up (to `pending`) in the very transaction in which a run of that SOP ends, so whoever
//! frees a place — the CLI, a server, another node — hands the queue on, and any process that
//! starts pending runs starts it. When it starts, its conditions are evaluated again and
//! recorded; if they no longer hold it is skipped, which frees the place for the next.

use super::commit::{Change, LeaseUse, commit, write};
use super::snapshot::Snapshot;
use super::tracked::Tracked;
use super::{Engine, redact};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use sop_core::condition::{self, Verdict};
use sop_core::definition::Sop;
use sop_core::gate::GatePlan;
use sop_core::run::{Decision, RunEvent, RunStatus, next};
use sop_store::{RunFilter, Tx};

/// Where a queued run waits, as recorded in its `run.queued` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePlace {
    /// 1 = next to start.
    pub place: u64,
    /// The SOP's `concurrency`.
    pub limit: u32,
    /// The active runs it waits behind (at most `limit` of them).
    pub behind: Vec<String>,
}

impl QueuePlace {
    /// Reads the queue of `sop_name` after inserting a run into it.
    pub(crate) fn read(tx: &mut dyn Tx, sop_name: &str, limit: u32) -> sop_store::Result<Self> {
        let of = |statuses: Vec<RunStatus>, limit: u32| RunFilter {
            sop_name: Some(sop_name.to_string()),
            statuses,
            limit,
        };
        let active: Vec<RunStatus> = RunStatus::ALL
            .into_iter()
            .filter(|s| s.is_active())
            .collect();
        let behind = tx
            .list_runs(&of(active, limit))?
            .into_iter()
            .map(|r| r.id)
            .collect();
        let place = tx.list_runs(&of(vec![RunStatus::Queued], u32::MAX))?.len() as u64;
        Ok(QueuePlace {
            place,
            limit,
            behind,
        })
    }

    pub fn detail(&self) -> Value {
        json!({"place": self.place, "limit": self.limit, "behind": self.behind})
    }
}

/// Moves the oldest queued runs of `sop_name` up while places are free under their own
/// `concurrency` (the limit they were queued under). Called in the transaction in which the
/// run `freed_by` ended, after its entries, so the trail reads "ended", then "dequeued".
/// Returns the runs moved up.
pub(crate) fn promote(
    tx: &mut dyn Tx,
    eng: &Engine,
    sop_name: &str,
    freed_by: &str,
    now: DateTime<Utc>,
) -> sop_store::Result<Vec<String>> {
    let mut moved = Vec::new();
    tx.lock_concurrency(sop_name)?;
    while let Some(run) = tx.next_queued_run(sop_name)? {
        // A snapshot this build cannot read keeps its run queued (a person cancels it); it never
        // fails the transaction of the run that ended.
        let Some(sop) = run
            .definition_snapshot
            .as_deref()
            .and_then(|s| Snapshot::decode(s).ok())
            .and_then(|s| s.parse(sop_name).ok())
        else {
            return Ok(moved);
        };
        let limit = sop.meta.concurrency.map_or(u64::MAX, u64::from);
        if tx.count_active_runs(sop_name)? >= limit {
            return Ok(moved);
        }
        let steps = tx.steps(&run.id)?;
        let plan = GatePlan::for_run(&sop, run.execution_mode);
        let t = Tracked::build(eng, run, steps, Vec::new(), sop, plan);
        let Ok(decision) = next(&t.view, RunEvent::Dequeue, now) else {
            return Ok(moved);
        };
        let change = Change::new(RunEvent::Dequeue, LeaseUse::Untouched)
            .reason(format!(
                "its place came when run {freed_by} ended; it starts when a process picks it up"
            ))
            .detail("after", freed_by);
        write(tx, eng, &t, &decision, &change, now, None)?;
        moved.push(t.run.id.clone());
    }
    Ok(moved)
}

/// Starts a run that waited in the queue: its conditions are evaluated now, recorded as a
/// `run.conditions` entry with the decision, and decide between `Start` and `ConditionsUnmet`.
pub fn start_dequeued(eng: &Engine, t: &mut Tracked) -> crate::Result<Decision> {
    let now = eng.clock.now();
    let scope = crate::scope::for_run(
        eng.settings,
        eng.store,
        &t.sop,
        &t.run.trigger_type,
        &t.run.variables,
        now,
    )?;
    let verdict = condition::evaluate(&t.sop.conditions, &scope);
    let vars = t.run.variables.as_object().cloned().unwrap_or_default();
    let mut detail = conditions_detail(&t.sop, &vars, &verdict);
    detail["rechecked"] = json!("dequeued");
    let change = if verdict.met {
        Change::new(RunEvent::Start, LeaseUse::Take)
    } else {
        Change::new(RunEvent::ConditionsUnmet, LeaseUse::Untouched)
            .reason("conditions not met when its place in the queue came")
    };
    commit(eng, t, &change.conditions(detail))
}

/// The detail of a `run.conditions` entry: whether they hold, and each item, secrets hidden.
pub(crate) fn conditions_detail(sop: &Sop, variables: &Map<String, Value>, v: &Verdict) -> Value {
    let declared = redact::declared_secrets(sop);
    let secrets = redact::secret_values_declared(variables, &declared);
    let items: Vec<Value> = v
        .items
        .iter()
        .map(|i| {
            json!({
                "source": i.source,
                "holds": i.holds,
                "detail": redact::hide(&i.detail, &secrets),
            })
        })
        .collect();
    json!({"met": v.met, "items": items})
}
