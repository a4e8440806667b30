//! Starting runs: the plan of a start (what a dry run shows, as data) and the start itself.

use super::{Caller, Service};
use crate::approval::settings::priority_modes;
use crate::catalog::Catalog;
use crate::engine::Tracked;
use crate::engine::create::{Created, EventStart, NewRunRequest, create};
use crate::engine::queue::QueuePlace;
use crate::engine::snapshot::Snapshot;
use crate::{Error, ErrorKind, executor, scope};
use serde_json::{Map, Value};
use sop_core::condition::{self, Verdict};
use sop_core::definition::Sop;
use sop_core::gate::{GatePlan, PriorityModes};
use sop_core::parameters::{ParameterProblem, StartOrigin};
use sop_core::run::Action;
use sop_core::template::{ProblemKind, Vars, render_command};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What someone asks to start.
#[derive(Debug, Clone)]
pub struct StartRequest {
    pub sop: String,
    pub variables: Map<String, Value>,
    /// `manual`, `webhook`, `event`, `cron`.
    pub trigger_type: String,
    /// What the trigger recorded (path, event name, schedule), for the audit trail.
    pub trigger_detail: Value,
    /// Start although the conditions do not hold or the SOP has no trigger of this kind
    /// (recorded in the audit trail).
    pub force: bool,
    /// Record the run `pending` and leave it for a server.
    pub detach: bool,
    /// A delivery key (`Idempotency-Key`, `X-GitHub-Delivery`) scoped by the route it came on:
    /// a second start with a key seen within [`super::DELIVERY_WINDOW`] is refused with
    /// [`DuplicateDelivery`] naming the first run, even when both race.
    pub delivery_key: Option<String>,
    /// The cron tick a scheduled start is for, recorded under its fire key with the run.
    pub schedule_fire: Option<sop_store::ScheduleFire>,
    /// The event trigger this start answers (its outcome is recorded with the run).
    pub event: Option<EventStart>,
    /// SOP_DIR as the caller read it while handling this same request (finding the SOP a
    /// webhook path starts), so that one request reads the SOPs once; else it is read here.
    pub catalog: Option<Arc<Catalog>>,
}

/// A start whose delivery key was seen already: the run its first delivery started.
#[derive(Debug, Clone, thiserror::Error)]
#[error("this delivery was received already; it started run {run_id}")]
pub struct DuplicateDelivery {
    pub run_id: String,
}

impl StartRequest {
    /// A manual start of `sop` with `variables`.
    pub fn manual(sop: impl Into<String>, variables: Map<String, Value>) -> Self {
        StartRequest {
            sop: sop.into(),
            variables,
            trigger_type: "manual".into(),
            trigger_detail: Value::Null,
            force: false,
            detach: false,
            delivery_key: None,
            schedule_fire: None,
            event: None,
            catalog: None,
        }
    }
}

/// Everything decided about a start before anything is recorded: what a dry run shows.
pub struct Plan {
    pub sop: Sop,
    snapshot: Snapshot,
    folder: PathBuf,
    pub variables: Map<String, Value>,
    pub verdict: Verdict,
    pub gates: GatePlan,
    pub modes: PriorityModes,
    /// Why a start would need forcing (`no manual trigger`, `conditions not met`).
    pub needs_force: Vec<&'static str>,
    /// Commands naming a variable that was not given, as `file:line: step N `title`: …`.
    pub missing: Vec<String>,
    pub forced: bool,
}

impl Plan {
    /// Whether the run is recorded `skipped`: its conditions do not hold and it is not forced.
    /// Such a run runs no command, so what its commands lack does not stop it being recorded: a
    /// sender (a resolved alert, an event that does not apply) gets the skip and its
    /// explanation, not a refusal.
    pub fn skips(&self) -> bool {
        !self.verdict.met && !self.forced
    }

    pub fn would_start(&self) -> bool {
        self.missing.is_empty() && (self.needs_force.is_empty() || self.forced)
    }
}

/// A recorded run and what the caller should do with it next (`None`: nothing to drive —
/// skipped, queued, or left `pending`).
pub struct Started {
    pub tracked: Tracked,
    pub action: Option<Action>,
    /// What the run's `run.conditions` audit entry recorded.
    pub conditions: Value,
    /// Where the run waits when it was recorded `queued` (`on_limit = "queue"`).
    pub queued: Option<QueuePlace>,
}

impl Service {
    /// The run a delivery key seen within [`super::DELIVERY_WINDOW`] started.
    pub fn delivered_run(&self, key: &str) -> crate::Result<Option<String>> {
        let since = self.clock().now() - super::DELIVERY_WINDOW;
        Ok(self.store().delivery(key, since)?.map(|d| d.run_id))
    }

    /// Checks that variables can be handed to a step's environment.
    pub fn check_variables(&self, variables: &Map<String, Value>) -> crate::Result<()> {
        use sop_core::json_depth::{MAX_JSON_DEPTH, json_depth};
        let depth = variables.values().map(json_depth).max().unwrap_or(0) + 1;
        if depth > MAX_JSON_DEPTH {
            return Err(Error::invalid(format!(
                "the variables nest arrays and objects {depth} levels deep; sop keeps at most \
                 {MAX_JSON_DEPTH}"
            ))
            .with_hint("pass deeply nested data as a string, or flatten it"));
        }
        executor::variable_env(variables)
            .map(|_| ())
            .map_err(|e| Error::invalid(e.to_string()))
    }

    /// Reads the SOP as it is now and decides what a start would do: conditions, mode and
    /// gates, what would need forcing, and which commands lack a variable.
    pub fn plan_run(&self, req: &StartRequest) -> crate::Result<Plan> {
        let read;
        let catalog = match &req.catalog {
            Some(catalog) => catalog.as_ref(),
            None => {
                read = Catalog::open_with(self.settings().sop_dir(), Some(self.parse_cache()))?;
                &read
            }
        };
        let (snapshot, folder) = match catalog.sop(&req.sop) {
            Ok(_) => {
                let entry = catalog.entry(&req.sop)?;
                (Snapshot::read(entry)?, entry.dir.clone())
            }
            // A server keeps serving the last good version of an SOP whose files broke.
            Err(e) => match self.live_version(&req.sop) {
                Some(good) => (good.snapshot.clone(), good.folder.clone()),
                None => return Err(e),
            },
        };
        let sop = snapshot.parse_with(&req.sop, Some(self.parse_cache()))?;
        let variables = sop
            .parameters
            .validate(&req.variables, start_origin(&req.trigger_type))
            .map_err(|problems| parameter_error(&sop, &problems))?;
        self.check_variables(&variables)?;
        // A cron tick's conditions are read as of its instant, even when the scheduler records
        // it a moment ahead (a caught-up tick, long past, as of now).
        let now = self.clock().now();
        let at = req
            .schedule_fire
            .as_ref()
            .map_or(now, |fire| fire.scheduled_at.max(now));
        let shadowed = scope::shadowed(self.store(), &sop, &variables, &req.trigger_type, at)?;
        if !shadowed.is_empty() {
            let names: Vec<String> = shadowed
                .iter()
                .map(|(name, what)| format!("`{name}` ({what})"))
                .collect();
            return Err(Error::invalid(format!(
                "variables may not stand in for what `{}`'s conditions read from the engine: {}",
                sop.name(),
                names.join(", ")
            ))
            .with_hint(
                "built-ins and facts decide conditions; leave these names out of the variables",
            ));
        }
        let vars_value = Value::Object(variables.clone());
        let scope = scope::for_run(
            self.settings(),
            self.store(),
            &sop,
            &req.trigger_type,
            &vars_value,
            at,
        )?;
        let verdict = condition::evaluate(&sop.conditions, &scope);
        let mut needs_force = Vec::new();
        if !has_trigger(&sop, &req.trigger_type) {
            needs_force.push(if req.trigger_type == "manual" {
                "no manual trigger"
            } else {
                "no trigger of this kind"
            });
        }
        if !verdict.met {
            needs_force.push("conditions not met");
        }
        let modes = priority_modes(self.settings())?;
        let gates = GatePlan::for_sop(&sop, &modes);
        Ok(Plan {
            missing: command_problems(&sop, &variables),
            sop,
            snapshot,
            folder,
            variables,
            verdict,
            gates,
            modes,
            needs_force,
            forced: req.force,
        })
    }

    /// Records a new run from `plan` (skipped when its conditions do not hold and it was not
    /// forced) and, unless detached, starts it; the caller drives it with the returned action.
    pub fn start_run(
        &self,
        caller: &Caller,
        req: &StartRequest,
        plan: Plan,
    ) -> crate::Result<Started> {
        if !plan.missing.is_empty() && !plan.skips() {
            return Err(Error::invalid(format!(
                "cannot start `{}`: commands use variables that were not given:\n  {}",
                plan.sop.name(),
                plan.missing.join("\n  ")
            )));
        }
        if !has_trigger(&plan.sop, &req.trigger_type) && !req.force {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!(
                    "`{}` has no {} trigger, so it does not start that way",
                    plan.sop.name(),
                    req.trigger_type
                ),
            ));
        }
        let forced = if req.force {
            plan.needs_force.iter().map(|s| s.to_string()).collect()
        } else {
            Vec::new()
        };
        let eng = self.engine(caller)?;
        let Created {
            tracked,
            action,
            conditions,
            queued,
        } = create(
            &eng,
            &NewRunRequest {
                sop: &plan.sop,
                snapshot: &plan.snapshot,
                folder: &plan.folder,
                variables: plan.variables.clone(),
                trigger_type: &req.trigger_type,
                trigger_detail: req.trigger_detail.clone(),
                verdict: &plan.verdict,
                plan: &plan.gates,
                modes: &plan.modes,
                forced,
                detach: req.detach,
                delivery_key: req.delivery_key.as_deref(),
                fire: req.schedule_fire.as_ref(),
                event: req.event.as_ref(),
            },
        )?;
        Ok(Started {
            tracked,
            action,
            conditions,
            queued,
        })
    }
}

/// How a start of this trigger type treats variables nobody declared.
fn start_origin(trigger_type: &str) -> StartOrigin {
    match trigger_type {
        "webhook" => StartOrigin::Webhook,
        "event" => StartOrigin::Event,
        "cron" => StartOrigin::Schedule,
        _ => StartOrigin::Manual,
    }
}

/// Every problem of a start's variables against the SOP's declared parameters, in one error.
fn parameter_error(sop: &Sop, problems: &[ParameterProblem]) -> Error {
    let lines: Vec<String> = problems
        .iter()
        .map(|p| format!("{}\n    = help: {}", p.message(), p.help()))
        .collect();
    Error::invalid(format!(
        "the variables do not fit `{}`'s parameters:\n  {}",
        sop.name(),
        lines.join("\n  ")
    ))
}

/// Whether `sop` may be started by a trigger of this type (a manual start needs a manual
/// trigger; webhooks, events and schedules need their own).
fn has_trigger(sop: &Sop, trigger_type: &str) -> bool {
    match trigger_type {
        "manual" => sop.has_manual_trigger(),
        other => sop.triggers.iter().any(|t| t.kind() == other),
    }
}

/// The commands that name a variable that was not given. A run with any would fail at that
/// step anyway, after the earlier steps ran, so it is refused before anything runs. Outputs of
/// earlier steps (`steps.N.key`) are only known at run time and are not checked here.
fn command_problems(sop: &Sop, variables: &Map<String, Value>) -> Vec<String> {
    let no_outputs = BTreeMap::new();
    let vars = Vars::new(variables).with_steps(&no_outputs);
    let mut problems = Vec::new();
    for step in &sop.steps {
        for block in step.commands() {
            let Err(e) = render_command(&block.code, &vars) else {
                continue;
            };
            for p in &e.problems {
                if let ProblemKind::Missing { name, .. } = &p.kind
                    && name.to_ascii_lowercase().starts_with("steps.")
                {
                    continue;
                }
                // A name close to one that was given is most likely its typo.
                let meant = match &p.kind {
                    ProblemKind::Missing { name, .. } => {
                        sop_core::suggest::closest(name, variables.keys().map(String::as_str))
                            .map(|m| format!("; did you mean `{m}`?"))
                    }
                    _ => None,
                };
                problems.push(format!(
                    "{}/SOP.md:{}:{}: step {} `{}`: {}{}",
                    sop.name(),
                    block.line + p.line,
                    p.col,
                    step.number,
                    step.title,
                    p.message(),
                    meant.unwrap_or_default()
                ));
            }
        }
    }
    problems
}
