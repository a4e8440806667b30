//! The one place definitions call the condition-language parser, and where its error spans are
//! mapped into the file that holds the expression.

use crate::condition::Expr;
use crate::toml_read::Located;
use crate::toml_read::Reporter;
use std::ops::Range;

/// Parses the expression held by the TOML string `value`, reporting each syntax problem at its
/// own position inside the file. `None` when the expression does not parse.
pub fn parse(r: &mut Reporter, value: &Located<&str>) -> Option<Expr> {
    match Expr::parse(value.value) {
        Ok(expr) => Some(expr),
        Err(errors) => {
            for e in errors {
                let span = locate(r, value, e.span.clone());
                let message = format!("in condition `{}`: {}", one_line(value.value), e.message);
                let d = r.at(span, message);
                r.push(match e.help {
                    Some(h) => d.with_help(h),
                    None => d,
                });
            }
            None
        }
    }
}

/// The fragment span of `span`, a range of the expression held by the TOML string `value`.
pub fn locate(r: &Reporter, value: &Located<&str>, span: Range<usize>) -> Range<usize> {
    match string_content_start(r, value) {
        Some(s) => s + span.start..s + span.end,
        // Escapes: inner offsets no longer line up with the file, so point at the whole value
        // rather than at a wrong column.
        None => value.span.clone(),
    }
}

/// Fragment offset of the first character inside the quotes, when the string is written
/// verbatim (`"..."`, `'...'`, or their triple-quoted multi-line forms, with no escapes), so
/// expression offsets map 1:1.
fn string_content_start(r: &Reporter, value: &Located<&str>) -> Option<usize> {
    let file_span = r.map(value.span.clone());
    let raw = r.text().get(file_span)?;
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        let Some(inner) = raw.strip_prefix(quote).and_then(|s| s.strip_suffix(quote)) else {
            continue;
        };
        // A newline right after the opening `"""` is not part of a multi-line string.
        let trimmed = match quote.len() {
            3 => inner
                .strip_prefix("\r\n")
                .or_else(|| inner.strip_prefix('\n'))
                .unwrap_or(inner),
            _ => inner,
        };
        let offset = quote.len() + (inner.len() - trimmed.len());
        return (trimmed == value.value).then_some(value.span.start + offset);
    }
    None
}

/// The expression on one line, for messages: a multi-line condition's line breaks and
/// indentation become single spaces; a one-line condition is shown as written.
pub fn one_line(source: &str) -> String {
    if source.contains('\n') {
        source.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        source.to_string()
    }
}
