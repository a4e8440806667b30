//! Behaviour tests of the condition language through its public API.

mod eval;
mod explain;
mod parse;
mod verdict;

use super::{EvalError, Expr, MapScope, Value};

/// A scope from a JSON object literal.
pub(super) fn scope(json: serde_json::Value) -> MapScope {
    MapScope::from_json(json)
}

pub(super) fn parse(src: &str) -> Expr {
    Expr::parse(src).unwrap_or_else(|e| panic!("`{src}` should parse: {e:?}"))
}

pub(super) fn eval(src: &str, vars: serde_json::Value) -> Result<Value, EvalError> {
    parse(src).eval(&scope(vars))
}

/// Evaluates to a boolean, failing the test on an error or another type.
pub(super) fn truth(src: &str, vars: serde_json::Value) -> bool {
    match eval(src, vars) {
        Ok(Value::Bool(b)) => b,
        other => panic!("`{src}` should be a boolean, got {other:?}"),
    }
}

/// The message of the evaluation error `src` must produce.
pub(super) fn eval_error(src: &str, vars: serde_json::Value) -> String {
    match eval(src, vars) {
        Err(e) => e.to_string(),
        Ok(v) => panic!("`{src}` should fail, got {v}"),
    }
}
