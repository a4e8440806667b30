//! The sandboxed condition language: `severity >= 'high' && business_hours == true`.
//!
//! Source is parsed once into an [`Expr`] when an SOP loads; evaluation is pure and fails closed.

mod ast;

pub use ast::Expr;
