//! The `[conditions]` table: `requires` items and an optional `expression`, all pre-parsed.

use crate::condition::Expr;
use serde::Serialize;

/// One `requires` item: a bare name that must be truthy, or an expression that must hold.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Requirement {
    /// A name such as `PROD_DOWN`, kept as written (lookup is case-insensitive).
    Name { name: String },
    /// Any other item, e.g. `disk_usage > 80%`.
    Expression {
        source: String,
        #[serde(skip)]
        expr: Expr,
    },
}

impl Requirement {
    pub fn source(&self) -> &str {
        match self {
            Requirement::Name { name } => name,
            Requirement::Expression { source, .. } => source,
        }
    }
}

/// The `expression = "..."` key, parsed once at load time.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionExpression {
    pub source: String,
    #[serde(skip)]
    pub expr: Expr,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Conditions {
    pub requires: Vec<Requirement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<ConditionExpression>,
}

impl Conditions {
    pub fn is_empty(&self) -> bool {
        self.requires.is_empty() && self.expression.is_none()
    }

    /// The spec's `Conditions:` line items: each requirement, then the expression.
    pub fn summary(&self) -> Vec<&str> {
        let mut items: Vec<&str> = self.requires.iter().map(Requirement::source).collect();
        if let Some(e) = &self.expression {
            items.push(&e.source);
        }
        items
    }
}
