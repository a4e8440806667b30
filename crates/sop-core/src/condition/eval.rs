//! Evaluation of the node tree against a scope: pure, short-circuiting and step-bounded.

use super::ast::{Kind, Node, Path, Segment};
use super::budget::Budget;
use super::compare::compare;
use super::eval_error::EvalError;
use super::ops::{condition, contains, is_match};
use super::scope::Scope;
use super::value::Value;
use std::ops::Range;

/// One evaluation: the scope it reads and the steps it has spent.
pub(crate) struct Evaluator<'a> {
    pub scope: &'a dyn Scope,
    pub src: &'a str,
    pub budget: Budget,
}

impl<'a> Evaluator<'a> {
    pub fn new(scope: &'a dyn Scope, src: &'a str) -> Self {
        Evaluator {
            scope,
            src,
            budget: Budget::default(),
        }
    }

    pub fn eval(&mut self, node: &Node) -> Result<Value, EvalError> {
        self.budget.charge(1)?;
        let span = &node.span;
        match &node.kind {
            Kind::Literal(v) => Ok(v.clone()),
            Kind::List(items) => items
                .iter()
                .map(|n| self.eval(n))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::from),
            Kind::Path(path) => self.resolve(path, span),
            Kind::Not(inner) => {
                let v = self.eval(inner)?;
                Ok(Value::Bool(!condition(&v, &inner.span)?))
            }
            Kind::And(items) => self.chain(items, false),
            Kind::Or(items) => self.chain(items, true),
            Kind::Compare(op, l, r) => {
                let (l, r) = (self.eval(l)?, self.eval(r)?);
                compare(*op, &l, &r, span, &mut self.budget).map(Value::Bool)
            }
            Kind::In {
                negated,
                item,
                collection,
            } => {
                let (i, c) = (self.eval(item)?, self.eval(collection)?);
                contains(&i, &c, span, &mut self.budget).map(|found| Value::Bool(found != *negated))
            }
            Kind::Matches(l, regex) => {
                let v = self.eval(l)?;
                is_match(&v, regex, span, &mut self.budget).map(Value::Bool)
            }
        }
    }

    /// `&&` (stops at the first false, `decisive` = false) or `||` (stops at the first true).
    fn chain(&mut self, items: &[Node], decisive: bool) -> Result<Value, EvalError> {
        for item in items {
            let v = self.eval(item)?;
            if condition(&v, &item.span)? == decisive {
                return Ok(Value::Bool(decisive));
            }
        }
        Ok(Value::Bool(!decisive))
    }

    /// The value at a path; missing names and keys are `null`, and so is anything below a `null`.
    pub fn resolve(&mut self, path: &Path, span: &Range<usize>) -> Result<Value, EvalError> {
        let mut value = match self.scope.lookup(&path.root) {
            Some(value) => value,
            None => match self.scope.unavailable(&path.root) {
                Some(reason) => {
                    return Err(EvalError::Unavailable {
                        name: path.root.to_string(),
                        reason,
                    });
                }
                None => Value::Null,
            },
        };
        for segment in &path.segments {
            self.budget.charge(1)?;
            let next = match (&value, segment) {
                (Value::Null, _) => return Ok(Value::Null),
                (Value::Object(_), Segment::Key(k)) => value.get_key(k),
                (Value::Object(_), Segment::Index(i)) => value.get_key(&i.to_string()),
                (Value::List(items), Segment::Index(i)) => items.get(*i),
                // `alerts.0` indexes a list, as it does in templates.
                (Value::List(items), Segment::Key(k)) if is_index(k) => {
                    k.parse::<usize>().ok().and_then(|i| items.get(i))
                }
                (other, segment) => {
                    let step = match segment {
                        Segment::Key(k) => format!("the key '{k}'"),
                        Segment::Index(i) => format!("the index [{i}]"),
                    };
                    return Err(EvalError::type_error(
                        span,
                        format!(
                            "`{}`: cannot read {step} of {} ({})",
                            &self.src[span.clone()],
                            other.display_short(40),
                            other.type_name()
                        ),
                    ));
                }
            };
            value = next.cloned().unwrap_or(Value::Null);
        }
        Ok(value)
    }
}

/// A key of digits only, which reads a list's item by number.
fn is_index(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit())
}
