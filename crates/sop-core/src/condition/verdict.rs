//! `Verdict`: whether an SOP's `[conditions]` hold, with a one-line explanation per item.

use super::ast::Expr;
use super::eval::Evaluator;
use super::scope::Scope;
use super::value::Value;
use crate::definition::{Conditions, Requirement};
use serde::Serialize;
use std::fmt;

/// The decision over all of an SOP's conditions: met when every item holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub met: bool,
    pub items: Vec<ItemVerdict>,
}

/// One `requires` item or the `expression`, e.g. `business_hours: false (19:04 Europe/Berlin)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemVerdict {
    /// The item as written in SOP.toml.
    pub source: String,
    pub holds: bool,
    /// `PROD_DOWN: not set`, `severity >= 'high': true ('critical')`,
    /// `x > 3: not met (error: cannot compare 'abc' with 3)`.
    pub detail: String,
}

impl fmt::Display for ItemVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

/// Widest value shown in a detail line; longer values are cut with `…`.
const DETAIL_VALUE_WIDTH: usize = 60;

/// Evaluates every item (none is skipped, so the explanation is complete). Items that fail to
/// evaluate do not hold, and say why.
pub fn evaluate(conditions: &Conditions, scope: &dyn Scope) -> Verdict {
    let mut items: Vec<ItemVerdict> = conditions
        .requires
        .iter()
        .map(|r| match r {
            Requirement::Name { name } => name_item(name, scope),
            Requirement::Expression { source, expr } => expression_item(source, expr, scope),
        })
        .collect();
    if let Some(e) = &conditions.expression {
        items.push(expression_item(&e.source, &e.expr, scope));
    }
    Verdict {
        met: items.iter().all(|i| i.holds),
        items,
    }
}

/// Evaluates one expression the way [`evaluate`] does an SOP's `expression`: whether it holds,
/// and its detail line (`steps.1.ok == 'no': false ('yes')`). A step's `if` is decided so.
pub fn evaluate_expression(expr: &Expr, scope: &dyn Scope) -> ItemVerdict {
    expression_item(expr.source(), expr, scope)
}

fn name_item(name: &str, scope: &dyn Scope) -> ItemVerdict {
    let key = name.to_lowercase();
    let (holds, detail) = match scope.lookup(&key) {
        None => match scope.unavailable(&key) {
            Some(reason) => (false, format!("{name}: not met (error: {reason})")),
            None => (false, format!("{name}: not set{}", meant(&key, scope))),
        },
        Some(Value::Null) => (false, format!("{name}: not set{}", meant(&key, scope))),
        Some(value) => {
            let mut detail = format!("{name}: {}", value.display_short(DETAIL_VALUE_WIDTH));
            if let Some(note) = scope.note(&key) {
                detail.push_str(&format!(" ({note})"));
            }
            (value.is_truthy(), detail)
        }
    };
    ItemVerdict {
        source: name.to_string(),
        holds,
        detail,
    }
}

fn expression_item(source: &str, expr: &Expr, scope: &dyn Scope) -> ItemVerdict {
    let (holds, detail) = match expr.holds(scope) {
        Ok(holds) => {
            let refs = referenced_values(expr, scope);
            let refs = if refs.is_empty() {
                String::new()
            } else {
                format!(" ({refs})")
            };
            (holds, format!("{source}: {holds}{refs}"))
        }
        Err(e) => (false, format!("{source}: not met (error: {e})")),
    };
    ItemVerdict {
        source: source.to_string(),
        holds,
        detail,
    }
}

/// ` [did you mean `severity`?]` when a name that is not set is close to one that is: a typo
/// reads as `null`, and the explanation should say so.
fn meant(name: &str, scope: &dyn Scope) -> String {
    let names = scope.names();
    let set = names
        .iter()
        .filter(|n| !matches!(scope.lookup(n), None | Some(Value::Null)))
        .map(String::as_str);
    match crate::suggest::closest(name, set) {
        Some(close) if !close.eq_ignore_ascii_case(name) => {
            format!(" [did you mean `{close}`?]")
        }
        _ => String::new(),
    }
}

/// `'critical'` for one referenced path, `severity = 'critical', env = 'prod'` for several; a
/// bare name's scope note follows its value in brackets.
fn referenced_values(expr: &Expr, scope: &dyn Scope) -> String {
    let src = expr.source();
    let mut seen: Vec<String> = Vec::new();
    let mut parts: Vec<(String, String)> = Vec::new();
    for (path, span) in expr.paths() {
        let text = &src[span.clone()];
        let key = text.to_lowercase();
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let mut shown = match Evaluator::new(scope, src).resolve(path, &span) {
            Ok(v) => v.display_short(DETAIL_VALUE_WIDTH),
            Err(e) => format!("error: {e}"),
        };
        if path.segments.is_empty()
            && let Some(note) = scope.note(&path.root)
        {
            shown.push_str(&format!(" [{note}]"));
        }
        if matches!(scope.lookup(&path.root), None | Some(Value::Null)) {
            shown.push_str(&meant(&path.root, scope));
        }
        parts.push((text.to_string(), shown));
    }
    match parts.as_slice() {
        [(_, only)] => only.clone(),
        _ => parts
            .iter()
            .map(|(name, v)| format!("{name} = {v}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}
