//! One pass of the scheduler: for every cron trigger served, the ticks due since the last one
//! handled are planned by `sop_core::schedule::plan_ticks` and carried out through the
//! operations; returns how long to sleep until the next tick.

use super::timeline::Timeline;
use super::triggers::TriggerCache;
use super::{LEAD, LONGEST_SLEEP, QUEUE_CHECK_EVERY};
use crate::dispatcher::{SERVER_ACTOR, Slot};
use crate::routes::shared::hand_on;
use crate::state::App;
use chrono::{DateTime, TimeDelta, Utc};
use sop_core::definition::Overlap;
use sop_core::schedule::{FireDecision, plan_ticks};
use sop_engine::Caller;
use sop_engine::ops::{CronTrigger, TickOutcome};
use std::time::{Duration, Instant};

/// Handles what is due and returns the time until the next tick.
pub fn due(
    app: &App,
    timeline: &mut Timeline,
    cache: &mut TriggerCache,
) -> sop_engine::Result<Duration> {
    if app.draining() {
        return Ok(LONGEST_SLEEP);
    }
    let Some(live) = app.service.live_catalog() else {
        return Ok(LONGEST_SLEEP);
    };
    let zone = app.service.schedule_zone()?;
    let served = cache.triggers(&live.serving(), zone);
    let triggers: Vec<&CronTrigger> = served.iter().flat_map(|t| t.iter()).collect();
    timeline.keep_only(
        &triggers
            .iter()
            .map(|t| (t.sop.clone(), t.key.clone()))
            .collect::<Vec<_>>(),
    );
    // The instant to wake at: LEAD before the next tick (or at a tick deferred for want of a
    // free place).
    let mut wake: Option<DateTime<Utc>> = None;
    let mut queued = false;
    let lead = TimeDelta::from_std(LEAD).unwrap_or_default();
    for &trigger in &triggers {
        let now = app.service.clock().now();
        let last = match app.service.last_fire(trigger) {
            Ok(fire) => fire.map(|f| f.scheduled_at),
            Err(e) => {
                tracing::warn!(sop = %trigger.sop, error = %e, "cannot read the last tick");
                continue;
            }
        };
        let cursor = timeline.cursor(&trigger.sop, &trigger.key, || last.unwrap_or(now));
        // Another server may have handled ticks since: start after whichever is later.
        let cursor = last.map_or(cursor, |l| l.max(cursor));
        // A tick due within LEAD is decided and recorded now, and its run started at the tick.
        let plan = plan_ticks(
            &trigger.schedule,
            trigger.zone,
            cursor,
            now + lead,
            trigger.catch_up,
        );
        if let Some(missed) = &plan.missed {
            let caller = Caller::quiet(SERVER_ACTOR);
            match app.service.record_missed(&caller, trigger, missed) {
                Ok(true) => tracing::info!(
                    sop = %trigger.sop, trigger = %trigger.key, missed = missed.count,
                    "ticks passed while no server ran; recorded as missed"
                ),
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(sop = %trigger.sop, error = %e, "cannot record missed ticks")
                }
            }
        }
        let ticks = plan
            .caught_up
            .iter()
            .map(|t| (*t, FireDecision::CaughtUp))
            .chain(plan.on_time.iter().map(|t| (*t, FireDecision::Fired)));
        // The last tick dealt with: missed ones are recorded above, the rest as they fire.
        let mut handled = plan.missed.as_ref().map(|m| m.last);
        // Ticks caught up after a pause, with the latest one on time, are one backlog that
        // `catch_up` asked to run: under `overlap = "skip"` a later one waits for the run an
        // earlier one of the batch started instead of being skipped for it.
        let mut backlog: Option<CronTrigger> = None;
        let mut started = false;
        for (tick, decision) in ticks {
            let slot = app.dispatcher.try_reserve();
            let ahead = (tick - app.service.clock().now())
                .to_std()
                .ok()
                .filter(|d| !d.is_zero());
            if ahead.is_some() && slot.is_none() {
                // No free place to hold the run until its instant: decide it at the tick, as
                // one that would wait as `pending` anyway.
                wake = Some(wake.map_or(tick, |w| w.min(tick)));
                break;
            }
            let this = if started && trigger.overlap == Overlap::Skip {
                backlog.get_or_insert_with(|| CronTrigger {
                    overlap: Overlap::Queue,
                    ..trigger.clone()
                })
            } else {
                trigger
            };
            started |= fire_one(app, this, tick, decision, slot, ahead);
            handled = handled.max(Some(tick));
        }
        if let Some(last) = handled {
            timeline.advance(&trigger.sop, &trigger.key, last);
        }
        // A skipping trigger may hold ticks a backlog queued.
        if trigger.overlap != Overlap::Allow {
            queued |= start_queued(app, trigger);
        }
        let after = handled.unwrap_or(cursor).max(now);
        if let Some(t) = trigger.schedule.next_after(after, trigger.zone) {
            let t = t.with_timezone(&Utc) - lead;
            wake = Some(wake.map_or(t, |w| w.min(t)));
        }
    }
    let until_next = wake
        .map(|n| {
            (n - app.service.clock().now())
                .to_std()
                .unwrap_or(Duration::ZERO)
        })
        .unwrap_or(LONGEST_SLEEP);
    Ok(if queued {
        until_next.min(QUEUE_CHECK_EVERY)
    } else {
        until_next
    })
}

/// Fires one tick and hands its run to the pool (`slot`, when it had a free place); a tick
/// `ahead` of now is recorded now and its run's first step started at the tick. Whether a run
/// was started.
fn fire_one(
    app: &App,
    trigger: &CronTrigger,
    tick: DateTime<Utc>,
    decision: FireDecision,
    slot: Option<Slot>,
    ahead: Option<Duration>,
) -> bool {
    let not_before = ahead.map(|d| Instant::now() + d);
    // The creating transaction starts the first step's process, held until the tick.
    let caller = Caller::quiet_owning(SERVER_ACTOR, slot.as_ref().map(|s| s.owner.clone()))
        .not_before(not_before);
    match app
        .service
        .fire_tick(&caller, trigger, tick, decision, slot.is_none())
    {
        Ok(TickOutcome::Started(started)) => {
            tracing::info!(
                sop = %trigger.sop, trigger = %trigger.key, tick = %tick,
                run = %started.tracked.id(), decision = %decision, "cron trigger fired"
            );
            match (slot, started.action) {
                (Some(slot), Some(action)) => slot.drive_at(
                    started.tracked,
                    action,
                    SERVER_ACTOR.to_string(),
                    not_before,
                ),
                _ => hand_on(app, &started.tracked),
            }
            true
        }
        Ok(TickOutcome::Skipped { active_run }) => {
            tracing::info!(
                sop = %trigger.sop, trigger = %trigger.key, tick = %tick, active_run = %active_run,
                "cron tick skipped: the previous run is still active (overlap = \"skip\")"
            );
            false
        }
        Ok(TickOutcome::Queued) => {
            tracing::info!(
                sop = %trigger.sop, trigger = %trigger.key, tick = %tick,
                "cron tick queued behind the active run"
            );
            false
        }
        Ok(TickOutcome::Decided) => false,
        Err(e) => {
            tracing::warn!(
                sop = %trigger.sop, trigger = %trigger.key, tick = %tick, error = %e,
                "a cron trigger could not start its run"
            );
            false
        }
    }
}

/// Starts the oldest queued tick of `trigger` if the run it waited for ended; true while ticks
/// still wait.
fn start_queued(app: &App, trigger: &CronTrigger) -> bool {
    let slot = app.dispatcher.try_reserve();
    let caller = Caller::quiet_owning(SERVER_ACTOR, slot.as_ref().map(|s| s.owner.clone()));
    match app.service.start_queued(&caller, trigger, slot.is_none()) {
        Ok(Some(TickOutcome::Started(started))) => {
            match (slot, started.action) {
                (Some(slot), Some(action)) => {
                    slot.drive(started.tracked, action, SERVER_ACTOR.to_string())
                }
                _ => hand_on(app, &started.tracked),
            }
            true
        }
        Ok(Some(_)) => true,
        Ok(None) => false,
        Err(e) => {
            tracing::warn!(sop = %trigger.sop, error = %e, "cannot start a queued tick");
            true
        }
    }
}
