//! The parsed form of a condition expression.

/// A parsed condition expression. (Placeholder shape; the parser fills this in.)
#[derive(Debug, Clone, PartialEq)]
pub struct Expr;
