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
use sop_core::run::RunStatus;
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

/// The audit detail of a decision; a tick skipped or queued names the run still active.
pub fn fire_detail(fire: &ScheduleFire) -> Value {
    let mut detail = json!({
        "sop": fire.sop_name,
        "trigger": fire.trigger_key,
        "scheduled_at": fire.scheduled_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "decision": fire.decision.as_str(),
    });
    if let (Some(run), Some(map)) = (&fire.run_id, detail.as_object_mut())
        && matches!(
            fire.decision,
            FireDecision::SkippedOverlap | FireDecision::Queued
        )
    {
        map.insert("active_run".into(), json!(run));
    }
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

    /// A run of `trigger` still active, if any. Every active run of the SOP is looked at, not
    /// only the latest tick's: a queued tick started late carries an early time, and a run of
    /// one tick may outlive a later tick's.
    fn active_run_of(&self, trigger: &CronTrigger) -> crate::Result<Option<String>> {
        let active: Vec<RunStatus> = RunStatus::ALL
            .into_iter()
            .filter(|s| s.is_active())
            .collect();
        let runs = self.store().list_runs(&sop_store::RunFilter {
            sop_name: Some(trigger.sop.clone()),
            statuses: active,
            limit: 1000,
        })?;
        for summary in runs.iter().filter(|r| r.trigger_type == "cron") {
            let run = self.store().run(&summary.id)?;
            if run.trigger_detail.get("trigger").and_then(Value::as_str) == Some(&trigger.key) {
                return Ok(Some(run.id));
            }
        }
        Ok(None)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Clock;
    use chrono::TimeZone;

    fn service(dir: &std::path::Path) -> Service {
        let folder = dir.join("sops/pulse");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("SOP.toml"),
            "[sop]\nname = \"pulse\"\ndescription = \"d\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"cron\"\nexpression = \"*/2 * * * * *\"\n",
        )
        .unwrap();
        std::fs::write(folder.join("SOP.md"), "## Step 1: Go\n```sh\ntrue\n```\n").unwrap();
        Service::in_dir(dir, Clock::system(), &[])
    }

    #[test]
    fn a_queued_tick_started_late_still_holds_off_the_ticks_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = service(dir.path());
        let sop = crate::catalog::Catalog::open(&dir.path().join("sops"))
            .unwrap()
            .sop("pulse")
            .unwrap()
            .clone();
        let skip = super::super::schedule::cron_triggers(&sop, chrono_tz::Tz::UTC)
            .pop()
            .unwrap();
        let queue = CronTrigger {
            overlap: Overlap::Queue,
            ..skip.clone()
        };
        let caller = Caller::quiet("server");
        let at = |s: u32| Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, s).unwrap();
        let fired = |o: TickOutcome| match o {
            TickOutcome::Started(started) => started.tracked.id().to_string(),
            _ => panic!("expected a run"),
        };
        // Tick :00 starts a run (left pending: active); tick :02 queues behind it.
        let first = fired(
            s.fire_tick(&caller, &skip, at(0), FireDecision::Fired, true)
                .unwrap(),
        );
        assert!(matches!(
            s.fire_tick(&caller, &queue, at(2), FireDecision::CaughtUp, true)
                .unwrap(),
            TickOutcome::Queued
        ));
        // A later tick fires once the first run is over...
        s.cancel(&caller, &first, Some("done")).unwrap();
        let later = fired(
            s.fire_tick(&caller, &skip, at(4), FireDecision::Fired, true)
                .unwrap(),
        );
        s.cancel(&caller, &later, Some("done")).unwrap();
        // ...and the queued :02 starts after it, carrying its early time.
        let queued = match s.start_queued(&caller, &skip, true).unwrap() {
            Some(TickOutcome::Started(started)) => started.tracked.id().to_string(),
            _ => panic!("the queued tick did not start"),
        };
        // The next tick sees that run, though the latest tick's run (:04) is over.
        match s
            .fire_tick(&caller, &skip, at(6), FireDecision::Fired, true)
            .unwrap()
        {
            TickOutcome::Skipped { active_run } => assert_eq!(active_run, queued),
            _ => panic!("tick :06 started a second run beside {queued}"),
        }
        // The skip's audit entry names the run it gave way to, as the queued tick's did.
        let entries = s.store().audit_entries(None).unwrap();
        let named = |kind: &str| {
            entries
                .iter()
                .filter(|e| e.kind == kind)
                .map(|e| e.detail["active_run"].as_str().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(named("schedule.skipped"), [queued]);
        assert_eq!(named("schedule.queued"), [first]);
    }
}
