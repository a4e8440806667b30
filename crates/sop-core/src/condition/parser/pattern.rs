//! Compiling `matches` patterns once, at parse time, within the size limits.

use crate::condition::limits::{MAX_DEPTH, REGEX_SIZE_LIMIT};

/// The compiled pattern, or the problem in words for a parse error.
pub(super) fn compile_regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(MAX_DEPTH as u32)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(limit) => {
                format!("pattern is too large once compiled (limit {limit} bytes); simplify it")
            }
            regex::Error::Syntax(text) => {
                let reason = text
                    .lines()
                    .rev()
                    .find_map(|l| l.strip_prefix("error: "))
                    .unwrap_or("invalid syntax");
                format!("invalid pattern: {reason}")
            }
            other => format!("invalid pattern: {other}"),
        })
}
