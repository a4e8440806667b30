//! Events: recording one (`sop emit`, `POST /api/events`, the MCP `emit_event` tool), starting
//! a run for each event trigger it matches whose condition holds and whose cooldown has passed,
//! and listing recent events with what became of them for each trigger they matched.

use super::{Caller, Service, StartRequest, Started};
use crate::catalog::Catalog;
use crate::engine::create::{CooldownHeld, EventStart};
use crate::engine::redact;
use crate::{Error, scope};
use serde_json::{Map, Value, json};
use sop_core::condition::{Expr, evaluate_expression};
use sop_core::definition::names::EVENT_RULE;
use sop_core::definition::{Sop, Trigger, event_pattern};
use sop_core::run::RunStatus;
use sop_store::{Event, EventFilter, EventOutcome, EventOutcomeKind, NewEvent, StoreExt};

/// An event someone emits.
#[derive(Debug, Clone)]
pub struct EmitRequest {
    /// A dot-separated name such as `deploy.failed`.
    pub event: String,
    /// Its data: the names a trigger's condition reads, and the variables of the runs it starts.
    pub data: Map<String, Value>,
    /// Where it came from (`cli`, `api`, `mcp:NAME`).
    pub source: String,
}

/// Who drives the runs an event starts. A server reserves a place in its pool for each, so a
/// run starts in the transaction that creates it; a process without one leaves them `pending`.
pub trait Launcher {
    /// The lease owner to start the next run under, or `None` to record it `pending`.
    fn reserve(&mut self) -> Option<String>;
    /// The run recorded for the last reservation (started, `pending`, or `skipped`).
    fn launched(&mut self, started: Started);
    /// The last reservation was not used.
    fn release(&mut self);
}

/// Leaves every run an event starts `pending`, for a server or `sop resume`.
pub struct LeavePending;

impl Launcher for LeavePending {
    fn reserve(&mut self) -> Option<String> {
        None
    }
    fn launched(&mut self, _: Started) {}
    fn release(&mut self) {}
}

/// A recorded event and what became of it for each trigger it matched, by SOP name and
/// trigger; each outcome with the status of its run (as recorded at the time of the read).
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub event: Event,
    pub outcomes: Vec<(EventOutcome, Option<RunStatus>)>,
}

/// One event trigger an event matched.
struct Match<'a> {
    sop: &'a Sop,
    index: u32,
    pattern: &'a str,
    condition: Option<&'a str>,
    cooldown: Option<sop_core::Duration>,
}

impl Service {
    /// Records the event and answers every event trigger it matches, in SOP name order.
    pub fn emit_event(
        &self,
        caller: &Caller,
        req: &EmitRequest,
        launcher: &mut dyn Launcher,
    ) -> crate::Result<EventRecord> {
        if let Some(problem) = event_pattern::emitted_name_problem(&req.event) {
            return Err(Error::invalid(format!(
                "invalid event `{}`: {problem}",
                req.event.escape_debug()
            ))
            .with_hint(EVENT_RULE));
        }
        self.check_variables(&req.data)?;
        let catalog = Catalog::open(self.settings().sop_dir())?;
        let now = self.clock().now();
        let event = self.store().transaction(|tx| {
            tx.insert_event(&NewEvent {
                name: req.event.clone(),
                source: Some(req.source.clone()),
                payload: Value::Object(req.data.clone()),
                received_at: now,
            })
        })?;
        let mut outcomes = Vec::new();
        for m in matches(&catalog, &req.event) {
            outcomes.push(self.answer(caller, &event, &req.data, &m, launcher)?);
        }
        Ok(EventRecord { event, outcomes })
    }

    /// The newest `limit` events, newest first, with their outcomes.
    pub fn recent_events(&self, limit: u32) -> crate::Result<Vec<EventRecord>> {
        let events = self.store().events(&EventFilter {
            limit,
            newest_first: true,
            ..EventFilter::default()
        })?;
        let ids: Vec<u64> = events.iter().map(|e| e.id).collect();
        let mut outcomes = self.store().event_outcomes(&ids)?;
        let mut out = Vec::with_capacity(events.len());
        for event in events {
            let mine: Vec<EventOutcome>;
            (mine, outcomes) = outcomes.into_iter().partition(|o| o.event_id == event.id);
            let mut with_status = Vec::with_capacity(mine.len());
            for o in mine {
                let status = match (&o.run_id, o.outcome) {
                    (Some(id), EventOutcomeKind::Started | EventOutcomeKind::Skipped) => {
                        self.store().run(id).ok().map(|r| r.status)
                    }
                    _ => None,
                };
                with_status.push((o, status));
            }
            out.push(EventRecord {
                event,
                outcomes: with_status,
            });
        }
        Ok(out)
    }

    /// Decides one matched trigger: its condition, then a start (which holds the cooldown and
    /// records the outcome with the run); anything that stops it is recorded here.
    fn answer(
        &self,
        caller: &Caller,
        event: &Event,
        data: &Map<String, Value>,
        m: &Match<'_>,
        launcher: &mut dyn Launcher,
    ) -> crate::Result<(EventOutcome, Option<RunStatus>)> {
        let secrets = redact::secret_values(data);
        let not_started = |kind: EventOutcomeKind, run_id: Option<String>, reason: String| {
            let outcome = EventOutcome {
                event_id: event.id,
                sop: m.sop.name().to_string(),
                trigger: m.index,
                outcome: kind,
                run_id,
                reason: Some(redact::hide(&reason, &secrets)),
                decided_at: self.clock().now(),
            };
            self.store()
                .transaction(|tx| tx.insert_event_outcome(&outcome))?;
            Ok::<_, Error>((outcome, None))
        };
        if let Some(condition) = m.condition {
            match self.trigger_condition(m.sop, condition, data) {
                Ok(None) => {}
                Ok(Some(why)) => return not_started(EventOutcomeKind::Skipped, None, why),
                Err(e) => return not_started(EventOutcomeKind::Refused, None, e.message),
            }
        }
        let mut req = StartRequest::manual(m.sop.name(), data.clone());
        req.trigger_type = "event".into();
        req.trigger_detail = json!({
            "event": event.name,
            "event_id": event.id,
            "trigger": m.index,
            "pattern": m.pattern,
        });
        req.event = Some(EventStart {
            event_id: event.id,
            trigger: m.index,
            cooldown: m.cooldown.map(|d| d.as_chrono()),
        });
        let owner = launcher.reserve();
        req.detach = owner.is_none();
        let start = Caller {
            actor: caller.actor.clone(),
            events: caller.events,
            stop: caller.stop.clone(),
            owner: owner.unwrap_or_else(|| caller.owner.clone()),
            client: caller.client.clone(),
            hand_off: caller.hand_off,
            not_before: caller.not_before,
        };
        match self
            .plan_run(&req)
            .and_then(|plan| self.start_run(&start, &req, plan))
        {
            Ok(started) => {
                let run = &started.tracked.run;
                let skipped = run.status == RunStatus::Skipped;
                let outcome = EventOutcome {
                    event_id: event.id,
                    sop: m.sop.name().to_string(),
                    trigger: m.index,
                    outcome: if skipped {
                        EventOutcomeKind::Skipped
                    } else {
                        EventOutcomeKind::Started
                    },
                    run_id: Some(run.id.clone()),
                    reason: skipped.then(|| "the SOP's conditions do not hold".to_string()),
                    decided_at: run.created_at,
                };
                let status = run.status;
                launcher.launched(started);
                Ok((outcome, Some(status)))
            }
            Err(e) => {
                launcher.release();
                match e.source_as::<CooldownHeld>() {
                    Some(held) => not_started(
                        EventOutcomeKind::Cooldown,
                        held.last.run_id.clone(),
                        e.message,
                    ),
                    None => not_started(EventOutcomeKind::Refused, None, e.message),
                }
            }
        }
    }

    /// `None` when the trigger's condition holds on the event's data (beside facts and
    /// built-ins, which the data cannot stand in for); otherwise why not.
    fn trigger_condition(
        &self,
        sop: &Sop,
        condition: &str,
        data: &Map<String, Value>,
    ) -> crate::Result<Option<String>> {
        let expr = Expr::parse(condition).map_err(|errors| {
            let first = errors.first().map(|e| e.to_string()).unwrap_or_default();
            Error::invalid(format!("the trigger's condition cannot be read: {first}"))
        })?;
        let vars = Value::Object(data.clone());
        let scope = scope::for_run(
            self.settings(),
            self.store(),
            sop,
            "event",
            &vars,
            self.clock().now(),
        )?;
        let item = evaluate_expression(&expr, &scope);
        Ok((!item.holds).then(|| {
            format!(
                "the trigger's condition `{condition}` does not hold: {}",
                item.detail
            )
        }))
    }
}

/// Every event trigger of every valid SOP that `name` matches, by SOP name then position.
fn matches<'a>(catalog: &'a Catalog, name: &str) -> Vec<Match<'a>> {
    let mut out = Vec::new();
    for sop in catalog.sops() {
        for (index, trigger) in sop.triggers.iter().enumerate() {
            if let Trigger::Event {
                event,
                condition,
                cooldown,
            } = trigger
                && event_pattern::matches(event, name)
            {
                out.push(Match {
                    sop,
                    index: index as u32,
                    pattern: event,
                    condition: condition.as_deref(),
                    cooldown: *cooldown,
                });
            }
        }
    }
    out
}
