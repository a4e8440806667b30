//! Assembles the values a condition sees: the run's variables, the earlier steps as `steps`
//! (for a step's `if`), facts, and built-ins computed at one instant.
//!
//! Whose value wins depends on who asks. A run's conditions ([`Precedence::Engine`]) see facts
//! and built-ins before variables, so nobody starting a run (a person with `--vars`, a webhook
//! body) can claim `weekday` or `tests_passed` is true; a start that tries is refused by
//! [`shadowed`]. A what-if evaluation (`sop eval`, `sop check --at --vars`) lets variables stand
//! in for anything ([`Precedence::Assumed`]).

pub(crate) mod builtins;
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
    precedence: Precedence,
}

/// Whose value wins when a variable has the name of a fact or a built-in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Precedence {
    /// What-if evaluations: a variable stands in for anything.
    #[default]
    Assumed,
    /// Runs: facts and built-ins win; variables only fill names nothing else knows.
    Engine,
}

impl RunScope {
    fn layers(&self) -> [&MapScope; 4] {
        match self.precedence {
            Precedence::Assumed => [&self.vars, &self.steps, &self.facts, &self.builtins],
            Precedence::Engine => [&self.steps, &self.facts, &self.builtins, &self.vars],
        }
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

    fn names(&self) -> Vec<String> {
        self.layers().into_iter().flat_map(|l| l.names()).collect()
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
    build_with(
        settings,
        Some(store),
        &subject,
        &condition_names(sop),
        Precedence::Engine,
    )
}

/// The names the SOP's conditions read that `vars` would supply although they are built-ins or
/// facts: a start with any of them is refused, so a variable never decides such a condition.
///
/// A `trigger` object whose `type` is the start's own trigger type is what the server sets
/// (with the webhook's path); it tells the truth, so it passes.
pub fn shadowed(
    store: &dyn Queries,
    sop: &Sop,
    vars: &serde_json::Map<String, serde_json::Value>,
    trigger_type: &str,
    now: DateTime<Utc>,
) -> crate::Result<Vec<(String, &'static str)>> {
    let names = condition_names(sop);
    let facts = store.facts(now)?;
    // A bare name in `requires` is a fact the SOP needs set (`PROD_DOWN`, `tests_passed`):
    // unset, it is still no variable's to claim.
    let required: Vec<String> = sop
        .conditions
        .requires
        .iter()
        .filter_map(|r| match r {
            sop_core::definition::Requirement::Name { name } => Some(name.to_lowercase()),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for name in vars.keys() {
        let lower = name.to_lowercase();
        if !names.contains(&lower) {
            continue;
        }
        if lower == "trigger"
            && vars[name].get("type").and_then(|t| t.as_str()) == Some(trigger_type)
        {
            continue;
        }
        if builtins::NAMES.contains(&lower.as_str()) {
            out.push((name.clone(), "a built-in"));
        } else if facts.iter().any(|f| f.name.to_lowercase() == lower) {
            out.push((name.clone(), "a fact"));
        } else if required.contains(&lower) {
            out.push((name.clone(), "a fact the SOP requires"));
        }
    }
    Ok(out)
}

/// The scope for evaluating `names` (lower-case root names, e.g. from [`Expr::names`]) as a
/// what-if: variables stand in for facts and built-ins. Without a store there are no facts.
pub fn build(
    settings: &Settings,
    store: Option<&dyn Queries>,
    subject: &Subject<'_>,
    names: &[String],
) -> crate::Result<RunScope> {
    build_with(settings, store, subject, names, Precedence::Assumed)
}

/// The scope for evaluating `names`, with `precedence` deciding whose value wins.
pub fn build_with(
    settings: &Settings,
    store: Option<&dyn Queries>,
    subject: &Subject<'_>,
    names: &[String],
    precedence: Precedence,
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
    let assumed = precedence == Precedence::Assumed;
    let needed = |name: &str| {
        names.iter().any(|n| n == name)
            && !(assumed && vars.get(name).is_some())
            && facts.get(name).is_none()
    };
    let mut builtins = builtins::compute(&inputs, &needed);
    // The server records how a run was triggered (`trigger.path` beside `trigger.type`) as the
    // variable `trigger`; when it names this very trigger type it is the truth, so the built-in
    // shows its details too.
    if let (Some(kind), Some(serde_json::Value::Object(given))) =
        (subject.trigger_type, subject.vars.get("trigger"))
        && given.get("type").and_then(|t| t.as_str()) == Some(kind)
        && builtins.get("trigger").is_some()
    {
        builtins.insert(
            "trigger",
            Value::from(serde_json::Value::Object(given.clone())),
        );
    }
    Ok(RunScope {
        vars,
        steps: MapScope::new(),
        facts,
        builtins,
        precedence,
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
