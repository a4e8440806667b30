//! Reads a step's options line, `<!-- sop: timeout = "10m", retries = 2 -->`, whose inside is a
//! TOML inline table without the braces.

use super::reporter::Reporter;
use super::step::{ApprovalRequirement, StepOptions};
use super::table_reader::TableReader;
use crate::Diagnostic;
use toml::de::DeValue;

const KEYS: &[&str] = &[
    "timeout",
    "retries",
    "continue_on_error",
    "idempotent",
    "approval",
    "manual",
];

/// Most retries a step may ask for; more would hide a broken step for hours.
pub const MAX_RETRIES: i64 = 10;

/// Parses the options text found at `text[start..start + inner.len()]` of the file `file`.
pub fn parse(
    file: &str,
    text: &str,
    start: usize,
    inner: &str,
    diags: &mut Vec<Diagnostic>,
) -> StepOptions {
    let mut r = Reporter::fragment(file, text, start, inner.len(), 1);
    let wrapped = format!("{{{inner}}}");
    let (value, syntax_errors) = DeValue::parse_recoverable(&wrapped);
    for e in &syntax_errors {
        r.syntax(e);
    }
    let mut options = StepOptions::default();
    if let DeValue::Table(table) = value.get_ref() {
        let t = TableReader::new(table, 0..wrapped.len(), "step options", KEYS);
        t.reject_unknown(&mut r);
        options.timeout = t.duration(&mut r, "timeout").map(|d| d.value);
        if let Some(n) = t.integer(&mut r, "retries", 0, MAX_RETRIES) {
            options.retries = n.value as u32;
        }
        for (key, slot) in [
            ("continue_on_error", &mut options.continue_on_error),
            ("idempotent", &mut options.idempotent),
            ("manual", &mut options.manual),
        ] {
            if let Some(b) = t.boolean(&mut r, key) {
                *slot = b.value;
            }
        }
        if let Some(a) = t.choice(&mut r, "approval", &["required", "mode"]) {
            options.approval = match a.value {
                "required" => ApprovalRequirement::Required,
                _ => ApprovalRequirement::Mode,
            };
        }
    } else if syntax_errors.is_empty() {
        r.push(
            r.at(0..wrapped.len(), "step options must be `key = value` pairs")
                .with_help("write e.g. <!-- sop: timeout = \"10m\", retries = 2 -->"),
        );
    }
    diags.append(&mut r.diags);
    options
}
