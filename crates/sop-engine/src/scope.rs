//! Assembles the values a condition sees: the run's variables, then (for a step's `if`) the
//! earlier steps as `steps`, then facts, then built-ins computed at one instant. First match
//! wins, so a run can override any fact or built-in.

mod builtins;
pub mod calendars;
mod disk;
mod facts;
pub mod settings;

use crate::{Error, Settings};
use chrono::{DateTime, Utc};
use sop_core::condition::{Expr, MapScope, Scope, Value};
use sop_core::definition::{Requirement, Sop, Trigger};
use sop_core::template::value_kind;
use sop_store::Queries;

/// The values of one evaluation, layered: variables, earlier steps, facts, built-ins.
#[derive(Debug, Default)]
pub struct RunScope {
    vars: MapScope,
    steps: MapScope,
    facts: MapScope,
    builtins: MapScope,
}

impl RunScope {
    fn layers(&self) -> [&MapScope; 4] {
        [&self.vars, &self.steps, &self.facts, &self.builtins]
    }

    /// Adds the name `steps`: an object of the earlier steps by number (`steps.2.ok`), each
    /// with its outputs, `status` and `exit_code`. Seen after the variables, before facts.
    pub fn with_steps(mut self, steps: serde_json::Value) -> Self {
        self.steps = MapScope::new().with("steps", steps);
        self.steps.set_note("steps", "earlier steps of this run");
        self
    }
}

impl Scope for RunScope {
    fn lookup(&self, name: &str) -> Option<Value> {
        self.layers().into_iter().find_map(|l| l.lookup(name))
    }

    fn note(&self, name: &str) -> Option<String> {
        let layer = self.layers().into_iter().find(|l| l.get(name).is_some())?;
        layer.note(name)
    }

    /// A built-in whose source failed stays unavailable unless a variable or fact supplies the
    /// name.
    fn unavailable(&self, name: &str) -> Option<String> {
        let layer = self.layers().into_iter().find(|l| l.knows(name))?;
        layer.unavailable(name)
    }
}

/// What an evaluation is about: the SOP (for `sop.*`), how it was triggered (`trigger.type`),
/// the run's variables (a JSON object) and the instant.
pub struct Subject<'a> {
    pub sop: Option<&'a Sop>,
    pub trigger_type: Option<&'a str>,
    pub vars: &'a serde_json::Value,
    pub now: DateTime<Utc>,
}

/// The scope the run engine evaluates an SOP's conditions (and its event trigger's condition)
/// in, before starting a run. Computes only the built-ins those conditions mention.
pub fn for_run(
    settings: &Settings,
    store: &dyn Queries,
    sop: &Sop,
    trigger_type: &str,
    vars: &serde_json::Value,
    now: DateTime<Utc>,
) -> crate::Result<RunScope> {
    let subject = Subject {
        sop: Some(sop),
        trigger_type: Some(trigger_type),
        vars,
        now,
    };
    build(settings, Some(store), &subject, &condition_names(sop))
}

/// The scope for evaluating `names` (lower-case root names, e.g. from [`Expr::names`]).
/// Without a store there are no facts.
pub fn build(
    settings: &Settings,
    store: Option<&dyn Queries>,
    subject: &Subject<'_>,
    names: &[String],
) -> crate::Result<RunScope> {
    let vars = match subject.vars {
        serde_json::Value::Object(_) => MapScope::from_json(subject.vars.clone()),
        serde_json::Value::Null => MapScope::new(),
        other => {
            return Err(Error::invalid(format!(
                "variables must be a JSON object such as {{\"severity\": \"high\"}}, not {}",
                value_kind(other)
            )));
        }
    };
    let facts = match store {
        Some(store) => facts::layer(&store.facts(subject.now)?),
        None => MapScope::new(),
    };
    let inputs = builtins::Inputs {
        settings,
        sop: subject.sop,
        trigger_type: subject.trigger_type,
        now: subject.now,
    };
    let needed = |name: &str| {
        names.iter().any(|n| n == name) && vars.get(name).is_none() && facts.get(name).is_none()
    };
    let builtins = builtins::compute(&inputs, &needed);
    Ok(RunScope {
        vars,
        steps: MapScope::new(),
        facts,
        builtins,
    })
}

/// The lower-case root names an SOP's conditions and event-trigger conditions read.
pub fn condition_names(sop: &Sop) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        let n = n.to_lowercase();
        if !names.contains(&n) {
            names.push(n);
        }
    };
    for r in &sop.conditions.requires {
        match r {
            Requirement::Name { name } => add(name),
            Requirement::Expression { expr, .. } => expr.names().into_iter().for_each(&mut add),
        }
    }
    if let Some(e) = &sop.conditions.expression {
        e.expr.names().into_iter().for_each(&mut add);
    }
    for t in &sop.triggers {
        if let Trigger::Event {
            condition: Some(c), ..
        } = t
            && let Ok(expr) = Expr::parse(c)
        {
            expr.names().into_iter().for_each(&mut add);
        }
    }
    names
}
