//! The sandboxed condition language: `severity >= 'high' && business_hours == true`.
//!
//! Source is parsed once into an [`Expr`] when an SOP loads; evaluation is pure, bounded and
//! fails closed. The grammar, semantics and limits are documented in `docs/conditions.md`.
//!
//! The API in one place:
//! - [`Expr::parse`] → `Result<Expr, Vec<ParseError>>` (every problem, with byte spans;
//!   [`ParseError::to_diagnostic`] renders a caret). [`Expr::source`], [`Expr::names`].
//! - [`Expr::eval`] → `Result<Value, EvalError>`; [`Expr::holds`] → whether the condition is met;
//!   [`Expr::explain`] → an [`Explanation`] tree (indented text via `render`, JSON via serde).
//! - [`Value`]: null, bool, [`Number`], string, list, object; `From<serde_json::Value>`,
//!   [`Value::to_json`], [`Value::is_truthy`], `Display` as literals (`'critical'`, `85`).
//! - [`Scope`] supplies values by lower-cased name (plus notes for explanations); [`MapScope`]
//!   holds a map of them, [`LayeredScope`] chains scopes (first match wins).
//! - [`evaluate`] decides an SOP's [`crate::definition::Conditions`] as a [`Verdict`];
//!   [`evaluate_expression`] decides one expression (a step's `if`) as an [`ItemVerdict`].
//! - [`limits`] holds the sandbox limits.

mod ast;
mod budget;
mod compare;
mod eval;
mod eval_error;
mod explain;
mod layered_scope;
mod lexer;
pub mod limits;
mod map_scope;
mod number;
mod ops;
mod parse_error;
mod parser;
mod scope;
mod severity;
mod token;
mod value;
mod value_fmt;
mod verdict;

pub use ast::Expr;
pub use eval_error::EvalError;
pub use explain::{Evaluation, Explanation};
pub use layered_scope::LayeredScope;
pub use map_scope::MapScope;
pub use number::Number;
pub use parse_error::ParseError;
pub use scope::{EmptyScope, Scope};
pub use value::Value;
pub use verdict::{ItemVerdict, Verdict, evaluate, evaluate_expression};

/// The language's keywords (`and`, `true`, ...), lower-case; in any case they cannot be names.
pub fn keywords() -> impl Iterator<Item = &'static str> {
    token::KEYWORDS.iter().map(|(k, _)| *k)
}

/// Whether `item` is a bare name (`PROD_DOWN`, `tests_passed`) rather than an expression: a
/// `requires` item that is one holds when the name's value is truthy.
pub fn is_bare_name(item: &str) -> bool {
    let mut chars = item.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && token::Tok::keyword(item).is_none()
}

#[cfg(test)]
mod tests;
