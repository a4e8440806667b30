//! One reader for the TOML files sop reads (SOP.toml and step options, `oncall.toml`,
//! `maintenance.toml`, the groups file): parsed with spans, checked strictly, and every problem
//! reported at `file:line:col` in one pass. File-specific values (durations and choices of
//! SOP.toml, date-times and zones of the calendars) are thin extensions where those files are
//! read.

mod entries;
mod inner_span;
mod reporter;
mod table;

pub use entries::{array_of_tables, named_entries};
pub use inner_span::inner_span;
pub use reporter::Reporter;
pub use table::TableReader;

use crate::Duration;
use crate::duration::DurationError;
use std::ops::Range;

/// A value read from a file together with its span in the parsed fragment.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// "a string", "an integer", "an array", ...
pub fn article(type_name: &str) -> String {
    match type_name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}

/// A duration as SOP files write it: whole seconds, so `ms`, which settings take, is not one of
/// their units.
pub fn whole_seconds(text: &str) -> Result<Duration, DurationError> {
    let d = text.parse::<Duration>()?;
    if d.is_whole_seconds() {
        Ok(d)
    } else {
        Err(DurationError {
            input: text.to_string(),
            reason: "unknown unit; use s, m, h, d or w, e.g. \"24h\"",
        })
    }
}
