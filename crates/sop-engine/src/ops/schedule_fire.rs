//! What the scheduler asks for at a tick: start the trigger's run (unless its previous run is
//! still active and `overlap` says skip or queue), record ticks missed while no server ran, and
//! start a queued tick once the run it waited for has ended. Every decision is recorded under
//! its fire key with an audit entry in the same transaction.

use super::schedule::CronTrigger;
use super::{Caller, Service, StartRequest, Started};
use crate::engine::create::TickDecided;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use sop_core::definition::Overlap;
use sop_core::schedule::{FireDecision, Missed};
use sop_store::{AuditEvent, ScheduleFire, ScheduleFireFilter, StoreExt};

/// What became of a tick.
pub enum TickOutcome {
    /// A run was recorded; drive it with its action (none when detached or skipped by its
    /// conditions).
    Started(Box<Started>),
    /// `overlap = "skip"`: the run named was still active.
    Skipped { active_run: String },
    /// `overlap = "queue"`: the tick waits for the active run to end.
    Queued,
    /// Another writer (a second server, or this one before a restart) decided the tick.
    Decided,
}

/// The audit detail of a decision.
pub fn fire_detail(fire: &ScheduleFire) -> Value {
    let mut detail = json!({
        "sop": fire.sop_name,
        "trigger": fire.trigger_key,
        "scheduled_at": fire.scheduled_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "decision": fire.decision.as_str(),
    });
    if let (Some(map), Value::Object(extra)) = (detail.as_object_mut(), &fire.detail) {
        for (k, v) in extra {
            map.insert(k.clone(), v.clone());
        }
    }
    detail
}

impl Service {
    /// Handles the due tick `tick` of `trigger` as `decision` (fired on time, or caught up).
    pub fn fire_tick(
        &self,
        caller: &Caller,
        trigger: &CronTrigger,
        tick: DateTime<Utc>,
        decision: FireDecision,
        detach: bool,
    ) -> crate::Result<TickOutcome> {
        if trigger.overlap != Overlap::Allow {
            let active = self.active_run_of(trigger)?;
            let waiting =
                trigger.overlap == Overlap::Queue && self.oldest_queued(trigger)?.is_some();
            match (trigger.overlap, active) {
                (Overlap::Skip, Some(run)) => {
                    let fire =
                        self.fire_row(trigger, tick, FireDecision::SkippedOverlap, Some(&run));
                    return Ok(if self.record_decision(caller, &fire)? {
                        TickOutcome::Skipped { active_run: run }
                    } else {
                        TickOutcome::Decided
                    });
                }
                (Overlap::Queue, active) if active.is_some() || waiting => {
                    let fire =
                        self.fire_row(trigger, tick, FireDecision::Queued, active.as_deref());
                    return Ok(if self.record_decision(caller, &fire)? {
                        TickOutcome::Queued
                    } else {
                        TickOutcome::Decided
                    });
                }
                _ => {}
            }
        }
        self.start_tick(caller, trigger, tick, decision, detach)
    }

    /// Records the ticks of `trigger` missed while no server ran, as one decision at the most
    /// recent of them; false when another writer recorded it.
    pub fn record_missed(
        &self,
        caller: &Caller,
        trigger: &CronTrigger,
        missed: &Missed,
    ) -> crate::Result<bool> {
        let mut fire = self.fire_row(trigger, missed.last, FireDecision::Missed, None);
        if let Value::Object(detail) = &mut fire.detail {
            detail.insert("missed".into(), json!(missed.count));
            detail.insert("more".into(), json!(missed.more));
            detail.insert(
                "first".into(),
                json!(missed.first.to_rfc3339_opts(SecondsFormat::Secs, true)),
            );
        }
        self.record_decision(caller, &fire)
    }

    /// Starts the oldest queued tick of `trigger` once no run of it is active; `None` when
    /// nothing is queued, [`TickOutcome::Queued`] while the run it waits for goes on.
    pub fn start_queued(
        &self,
        caller: &Caller,
        trigger: &CronTrigger,
        detach: bool,
    ) -> crate::Result<Option<TickOutcome>> {
        let Some(queued) = self.oldest_queued(trigger)? else {
            return Ok(None);
        };
        if self.active_run_of(trigger)?.is_some() {
            return Ok(Some(TickOutcome::Queued));
        }
        self.start_tick(
            caller,
            trigger,
            queued.scheduled_at,
            FireDecision::Fired,
            detach,
        )
        .map(Some)
    }

    fn start_tick(
        &self,
        caller: &Caller,
        trigger: &CronTrigger,
        tick: DateTime<Utc>,
        decision: FireDecision,
        detach: bool,
    ) -> crate::Result<TickOutcome> {
        let fire = self.fire_row(trigger, tick, decision, None);
        let mut req = StartRequest::manual(&trigger.sop, Map::new());
        req.trigger_type = "cron".into();
        req.trigger_detail = fire_detail(&fire);
        req.detach = detach;
        req.schedule_fire = Some(fire);
        let plan = self.plan_run(&req)?;
        match self.start_run(caller, &req, plan) {
            Ok(started) => Ok(TickOutcome::Started(Box::new(started))),
            Err(e) if e.source_as::<TickDecided>().is_some() => Ok(TickOutcome::Decided),
            Err(e) => Err(e),
        }
    }

    /// The run started by the trigger's latest run-starting tick, if it is still active. One
    /// row per run-starting decision is read, not the trigger's recent history.
    fn active_run_of(&self, trigger: &CronTrigger) -> crate::Result<Option<String>> {
        let mut latest: Option<ScheduleFire> = None;
        for decision in [FireDecision::Fired, FireDecision::CaughtUp] {
            let found = self
                .store()
                .schedule_fires(&ScheduleFireFilter {
                    sop_name: Some(trigger.sop.clone()),
                    trigger_key: Some(trigger.key.clone()),
                    decision: Some(decision),
                    limit: 1,
                })?
                .pop();
            if let Some(f) = found
                && latest
                    .as_ref()
                    .is_none_or(|l| f.scheduled_at > l.scheduled_at)
            {
                latest = Some(f);
            }
        }
        let Some(run_id) = latest.and_then(|f| f.run_id) else {
            return Ok(None);
        };
        let run = self.store().run(&run_id)?;
        Ok(run.status.is_active().then_some(run_id))
    }

    fn oldest_queued(&self, trigger: &CronTrigger) -> crate::Result<Option<ScheduleFire>> {
        Ok(self
            .store()
            .schedule_fires(&ScheduleFireFilter {
                sop_name: Some(trigger.sop.clone()),
                trigger_key: Some(trigger.key.clone()),
                decision: Some(FireDecision::Queued),
                limit: u32::try_from(sop_core::definition::CatchUp::ALL_CAP).unwrap_or(100),
            })?
            .pop())
    }

    fn fire_row(
        &self,
        trigger: &CronTrigger,
        tick: DateTime<Utc>,
        decision: FireDecision,
        run: Option<&str>,
    ) -> ScheduleFire {
        ScheduleFire {
            sop_name: trigger.sop.clone(),
            trigger_key: trigger.key.clone(),
            scheduled_at: tick,
            decision,
            run_id: run.map(str::to_string),
            recorded_at: self.clock().now(),
            detail: json!({
                "local": tick
                    .with_timezone(&trigger.zone)
                    .to_rfc3339_opts(SecondsFormat::Secs, false),
            }),
        }
    }

    /// Records a decision that starts no run, with its audit entry; false when the tick was
    /// decided already.
    fn record_decision(&self, caller: &Caller, fire: &ScheduleFire) -> crate::Result<bool> {
        let eng = self.engine(caller)?;
        let now = self.clock().now();
        Ok(self.store().transaction(|tx| {
            if !tx.insert_schedule_fire(fire)? {
                return Ok(false);
            }
            tx.audit(&eng.stamp(AuditEvent::new(
                now,
                None,
                eng.actor.as_str(),
                fire.decision.audit_kind(),
                fire_detail(fire),
            )))?;
            Ok(true)
        })?)
    }
}
