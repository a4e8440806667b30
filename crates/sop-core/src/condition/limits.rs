//! The sandbox limits of the condition language, in one place so docs and tests agree.

/// Longest accepted expression source, in bytes. Longer sources are a parse error.
pub const MAX_SOURCE_BYTES: usize = 4096;

/// Deepest nesting of parentheses, list brackets and `!`/`not` the parser accepts.
pub const MAX_DEPTH: usize = 64;

/// Evaluation steps one evaluation may take (one per node visited, plus one per list element
/// examined and per KiB of text searched). Exceeding it is an evaluation error.
pub const MAX_STEPS: u64 = 100_000;

/// Compiled-size limit of a `matches` pattern, in bytes (`regex::RegexBuilder::size_limit`).
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Deepest nesting of a data value compared structurally or converted from JSON.
pub const MAX_VALUE_DEPTH: usize = 128;
