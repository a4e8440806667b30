//! `Explanation`: every sub-expression of an evaluation with its value or error, as a tree.

use super::ast::{Kind, Node};
use super::compare::compare;
use super::eval::Evaluator;
use super::eval_error::EvalError;
use super::ops::{condition, contains, is_match};
use super::scope::Scope;
use super::value::Value;
use serde::Serialize;
use std::fmt;
use std::ops::Range;

/// One sub-expression: its source text, what it evaluated to, and its own sub-expressions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The sub-expression as written (a slice of the source).
    pub source: String,
    /// Byte range of `source` in the whole expression.
    pub span: Range<usize>,
    #[serde(flatten)]
    pub outcome: Evaluation,
    /// Context from the scope for a bare name, e.g. `19:04 Europe/Berlin`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Explanation>,
}

/// What a sub-expression came to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Evaluation {
    Value {
        value: Value,
    },
    Error {
        error: String,
    },
    /// Skipped by short-circuiting (`false && ...`) or because an earlier operand failed.
    NotEvaluated,
}

impl Explanation {
    pub fn value(&self) -> Option<&Value> {
        match &self.outcome {
            Evaluation::Value { value } => Some(value),
            _ => None,
        }
    }

    pub fn error(&self) -> Option<&str> {
        match &self.outcome {
            Evaluation::Error { error } => Some(error),
            _ => None,
        }
    }

    /// The tree as indented lines, two spaces per level: `severity >= 'high' => true`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out, 0);
        out
    }

    fn render_into(&self, out: &mut String, depth: usize) {
        out.push_str(&"  ".repeat(depth));
        out.push_str(&self.source);
        out.push_str(" => ");
        match &self.outcome {
            Evaluation::Value { value } => out.push_str(&value.display_short(120)),
            Evaluation::Error { error } => {
                out.push_str("error: ");
                out.push_str(error);
            }
            Evaluation::NotEvaluated => out.push_str("not evaluated"),
        }
        if let Some(note) = &self.note {
            out.push_str(&format!(" ({note})"));
        }
        out.push('\n');
        for child in &self.children {
            child.render_into(out, depth + 1);
        }
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

pub(crate) fn explain(src: &str, root: &Node, scope: &dyn Scope) -> Explanation {
    Explainer {
        ev: Evaluator::new(scope, src),
    }
    .node(root)
    .0
}

/// Mirrors [`Evaluator::eval`] node by node, recording each outcome; shares its step budget
/// and operator functions so the explanation's result is exactly the evaluation's.
struct Explainer<'a> {
    ev: Evaluator<'a>,
}

type Children = Vec<Explanation>;

impl Explainer<'_> {
    fn node(&mut self, node: &Node) -> (Explanation, Result<Value, EvalError>) {
        let mut children = Vec::new();
        let result = self.outcome(node, &mut children);
        let note = match &node.kind {
            Kind::Path(p) if p.segments.is_empty() && result.is_ok() => self.ev.scope.note(&p.root),
            _ => None,
        };
        let outcome = match &result {
            Ok(value) => Evaluation::Value {
                value: value.clone(),
            },
            Err(e) => Evaluation::Error {
                error: e.to_string(),
            },
        };
        let explanation = Explanation {
            source: self.ev.src[node.span.clone()].to_string(),
            span: node.span.clone(),
            outcome,
            note,
            children,
        };
        (explanation, result)
    }

    fn child(&mut self, node: &Node, children: &mut Children) -> Result<Value, EvalError> {
        let (e, r) = self.node(node);
        children.push(e);
        r
    }

    fn skip(&self, nodes: &[&Node], children: &mut Children) {
        children.extend(nodes.iter().map(|n| Explanation {
            source: self.ev.src[n.span.clone()].to_string(),
            span: n.span.clone(),
            outcome: Evaluation::NotEvaluated,
            note: None,
            children: Vec::new(),
        }));
    }

    /// Both operands of a binary operator; the right one is skipped when the left one fails.
    fn pair(
        &mut self,
        l: &Node,
        r: &Node,
        children: &mut Children,
    ) -> Result<(Value, Value), EvalError> {
        let left = self.child(l, children);
        if left.is_err() {
            self.skip(&[r], children);
        }
        let left = left?;
        Ok((left, self.child(r, children)?))
    }

    fn outcome(&mut self, node: &Node, children: &mut Children) -> Result<Value, EvalError> {
        self.ev.budget.charge(1)?;
        let span = &node.span;
        match &node.kind {
            Kind::Literal(v) => Ok(v.clone()),
            Kind::Path(path) => self.ev.resolve(path, span),
            Kind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match self.child(item, children) {
                        Ok(v) => values.push(v),
                        Err(e) => {
                            self.skip(&items[i + 1..].iter().collect::<Vec<_>>(), children);
                            return Err(e);
                        }
                    }
                }
                Ok(Value::from(values))
            }
            Kind::Not(inner) => {
                let v = self.child(inner, children)?;
                Ok(Value::Bool(!condition(&v, &inner.span)?))
            }
            Kind::And(items) => self.chain(items, false, children),
            Kind::Or(items) => self.chain(items, true, children),
            Kind::Compare(op, l, r) => {
                let (l, r) = self.pair(l, r, children)?;
                compare(*op, &l, &r, span, &mut self.ev.budget).map(Value::Bool)
            }
            Kind::In {
                negated,
                item,
                collection,
            } => {
                let (i, c) = self.pair(item, collection, children)?;
                contains(&i, &c, span, &mut self.ev.budget)
                    .map(|found| Value::Bool(found != *negated))
            }
            Kind::Matches(l, regex) => {
                let v = self.child(l, children)?;
                is_match(&v, regex, span, &mut self.ev.budget).map(Value::Bool)
            }
        }
    }

    fn chain(
        &mut self,
        items: &[Node],
        decisive: bool,
        children: &mut Children,
    ) -> Result<Value, EvalError> {
        for (i, item) in items.iter().enumerate() {
            let truth = self
                .child(item, children)
                .and_then(|v| condition(&v, &item.span));
            if !matches!(truth, Ok(t) if t != decisive) {
                self.skip(&items[i + 1..].iter().collect::<Vec<_>>(), children);
                return truth.map(Value::Bool);
            }
        }
        Ok(Value::Bool(!decisive))
    }
}
