//! Reads a step's options line, `<!-- sop: timeout = "10m", retries = 2 -->`, whose inside is a
//! TOML inline table without the braces.

use super::expression;
use super::sop_values::SopValues;
use super::step::{ApprovalRequirement, StepOptions};
use crate::Diagnostic;
use crate::condition::Expr;
use crate::toml_read::Reporter;
use crate::toml_read::{Located, TableReader, inner_span};
use toml::de::DeValue;

const KEYS: &[&str] = &[
    "timeout",
    "retries",
    "continue_on_error",
    "idempotent",
    "approval",
    "manual",
    "if",
];

/// Most retries a step may ask for; more would hide a broken step for hours.
pub const MAX_RETRIES: i64 = 10;

/// Parses the options text found at `text[start..start + inner.len()]` of the file `file`, the
/// options of step `step`.
pub fn parse(
    file: &str,
    step: u32,
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
        if let Some(source) = t.string(&mut r, "if") {
            options.condition = expression::parse(&mut r, &source);
            if let Some(expr) = &options.condition {
                check_step_references(&mut r, &source, expr, step);
            }
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

/// A step's condition may read only earlier steps (`steps.N` with N below its own number):
/// any other `steps` path would always be `null` and the condition silently decided by it.
fn check_step_references(r: &mut Reporter, source: &Located<&str>, expr: &Expr, step: u32) {
    for (key, span) in expr.step_references() {
        let text = &expr.source()[span.clone()];
        let problem = match key.as_deref().map(|k| (k, k.parse::<u32>())) {
            None => format!("`{text}` names no step"),
            Some((_, Ok(n))) if n >= 1 && n < step => continue,
            Some((_, Ok(n))) if n >= step => format!(
                "`{text}` reads step {n}, which has not run when the run reaches step {step}"
            ),
            Some((k, _)) => format!("`{text}` names no step: `{k}` is not a step number"),
        };
        let help = if step == 1 {
            "the first step has no earlier steps to read; decide it with variables, facts or built-ins".to_string()
        } else {
            format!(
                "a step's condition reads earlier steps, e.g. `steps.{}.key == 'yes'`",
                step - 1
            )
        };
        let at = inner_span(r, source, span);
        let d = r.at(
            at,
            format!(
                "in condition `{}`: {problem}",
                expression::one_line(source.value)
            ),
        );
        r.push(d.with_help(help));
    }
}
