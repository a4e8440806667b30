//! Why a cron expression was refused: every problem found in one pass, each with the bytes of
//! the expression it concerns, so a diagnostic can point at the field rather than the string.

use std::fmt;
use std::ops::Range;

/// One problem in a cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronProblem {
    pub message: String,
    /// Byte range of the expression as given (untrimmed) that is wrong: a token or a whole
    /// field; `None` when the problem is the expression as a whole (empty, an unknown nickname,
    /// the wrong number of fields).
    pub span: Option<Range<usize>>,
}

/// A refused cron expression: at least one [`CronProblem`], in the order of the fields.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CronError {
    pub problems: Vec<CronProblem>,
}

impl CronError {
    /// A problem with the expression as a whole.
    pub fn whole(message: impl Into<String>) -> Self {
        CronError {
            problems: vec![CronProblem {
                message: message.into(),
                span: None,
            }],
        }
    }
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let messages: Vec<&str> = self.problems.iter().map(|p| p.message.as_str()).collect();
        f.write_str(&messages.join("; "))
    }
}
