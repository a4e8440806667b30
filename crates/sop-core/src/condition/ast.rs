//! The parsed form of a condition expression: `Expr` and the node tree behind it.

use super::eval::Evaluator;
use super::eval_error::EvalError;
use super::explain::Explanation;
use super::parse_error::ParseError;
use super::scope::Scope;
use super::value::Value;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A parsed condition expression. Parse once (when an SOP loads), evaluate many times.
/// Cloning is cheap: the tree is shared.
#[derive(Clone)]
pub struct Expr {
    inner: Arc<Parsed>,
}

#[derive(Debug)]
pub(crate) struct Parsed {
    pub source: Box<str>,
    pub root: Node,
}

#[derive(Debug)]
pub(crate) struct Node {
    pub kind: Kind,
    /// Byte range of this sub-expression in the source.
    pub span: Range<usize>,
}

#[derive(Debug)]
pub(crate) enum Kind {
    Literal(Value),
    /// A list with at least one non-literal item (all-literal lists fold into `Literal`).
    List(Vec<Node>),
    Path(Path),
    Not(Box<Node>),
    /// Two or more operands; `a && b && c` is one node so chains stay shallow.
    And(Vec<Node>),
    Or(Vec<Node>),
    Compare(CmpOp, Box<Node>, Box<Node>),
    In {
        negated: bool,
        item: Box<Node>,
        collection: Box<Node>,
    },
    Matches(Box<Node>, Box<regex::Regex>),
}

/// `name.key[0]['other key']`: a lower-cased root name and the steps into its value.
#[derive(Debug)]
pub(crate) struct Path {
    pub root: Box<str>,
    pub segments: Vec<Segment>,
}

#[derive(Debug)]
pub(crate) enum Segment {
    Key(Box<str>),
    Index(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Node {
    /// Direct sub-expressions, in source order.
    pub fn children(&self) -> Vec<&Node> {
        match &self.kind {
            Kind::Literal(_) | Kind::Path(_) => Vec::new(),
            Kind::List(items) | Kind::And(items) | Kind::Or(items) => items.iter().collect(),
            Kind::Not(n) | Kind::Matches(n, _) => vec![n],
            Kind::Compare(_, l, r) => vec![l, r],
            Kind::In {
                item, collection, ..
            } => vec![item, collection],
        }
    }
}

impl Expr {
    /// Parses `src`, reporting every problem found in one pass. Enforces the source-length and
    /// nesting limits and compiles `matches` patterns (so a bad regex is a parse error).
    pub fn parse(src: &str) -> Result<Expr, Vec<ParseError>> {
        let root = super::parser::parse(src)?;
        Ok(Expr {
            inner: Arc::new(Parsed {
                source: src.into(),
                root,
            }),
        })
    }

    /// The source text this expression was parsed from.
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// Evaluates against `scope`. Any error means the condition is not met.
    pub fn eval(&self, scope: &dyn Scope) -> Result<Value, EvalError> {
        Evaluator::new(scope, &self.inner.source).eval(&self.inner.root)
    }

    /// Evaluates and decides whether the condition holds: the result must be true, a non-zero
    /// number or a truthy word; other strings, lists and objects are an error (never silently
    /// false), and `null` (a missing value) does not hold.
    pub fn holds(&self, scope: &dyn Scope) -> Result<bool, EvalError> {
        let value = self.eval(scope)?;
        super::ops::condition(&value, &self.inner.root.span)
    }

    /// Evaluates and records every sub-expression's value or error.
    pub fn explain(&self, scope: &dyn Scope) -> Explanation {
        super::explain::explain(&self.inner.source, &self.inner.root, scope)
    }

    /// The lower-cased root names this expression reads, each once, in source order. Lets a
    /// caller compute only the built-ins an expression needs.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for (path, _) in self.paths() {
            if !names.contains(&&*path.root) {
                names.push(&path.root);
            }
        }
        names
    }

    /// The `steps.N` paths (outputs and states of earlier steps), in source order: the key
    /// after `steps` (`"2"` in `steps.2.ok` and `steps[2]`; `None` for a bare `steps`) and the
    /// path's source range. Lets a definition check that a step reads only earlier steps.
    pub fn step_references(&self) -> Vec<(Option<String>, Range<usize>)> {
        self.paths()
            .into_iter()
            .filter(|(p, _)| &*p.root == "steps")
            .map(|(p, span)| {
                let key = match p.segments.first() {
                    Some(Segment::Key(k)) => Some(k.to_string()),
                    // `steps[2]` reads the key "2" of an object, like `steps.2`.
                    Some(Segment::Index(i)) => Some(i.to_string()),
                    None => None,
                };
                (key, span)
            })
            .collect()
    }

    /// Every path in the expression with its source range, in source order.
    pub(crate) fn paths(&self) -> Vec<(&Path, Range<usize>)> {
        let mut out = Vec::new();
        let mut stack = vec![&self.inner.root];
        while let Some(node) = stack.pop() {
            if let Kind::Path(p) = &node.kind {
                out.push((p, node.span.clone()));
            }
            stack.extend(node.children().into_iter().rev());
        }
        out
    }
}

/// Two expressions are equal when they were parsed from the same source.
impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.source() == other.source()
    }
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expr").field(&self.source()).finish()
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.source())
    }
}

impl std::str::FromStr for Expr {
    type Err = Vec<ParseError>;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Expr::parse(s)
    }
}
