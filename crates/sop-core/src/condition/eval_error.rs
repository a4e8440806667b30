//! `EvalError`: why an evaluation failed. Every such failure makes the condition not met.

use serde::Serialize;
use std::ops::Range;

/// An evaluation failure. `span` (where present) is the byte range of the sub-expression at
/// fault in the source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvalError {
    /// Operands the operator cannot work with, e.g. `'abc' > 3`.
    #[error("{message}")]
    Type { message: String, span: Range<usize> },
    /// The evaluation step budget ran out.
    #[error(
        "evaluation stopped after {limit} steps; the expression or the data it reads is too large"
    )]
    StepLimit { limit: u64 },
    /// A name whose source failed (see [`crate::condition::Scope::unavailable`]).
    #[error("`{name}` cannot be read: {reason}")]
    Unavailable { name: String, reason: String },
    /// A data value nested too deeply to compare.
    #[error("a value is nested deeper than {limit} levels")]
    TooDeep { limit: usize },
}

impl EvalError {
    pub(crate) fn type_error(span: &Range<usize>, message: impl Into<String>) -> Self {
        EvalError::Type {
            message: message.into(),
            span: span.clone(),
        }
    }
}
