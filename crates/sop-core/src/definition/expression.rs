//! The one place definitions call the condition-language parser, and where its error spans are
//! mapped into the file that holds the expression.

use super::reporter::Reporter;
use super::table_reader::Val;
use crate::condition::Expr;

/// Parses the expression held by the TOML string `value`, reporting each syntax problem at its
/// own position inside the file. `None` when the expression does not parse.
pub fn parse(r: &mut Reporter, value: &Val<&str>) -> Option<Expr> {
    match Expr::parse(value.value) {
        Ok(expr) => Some(expr),
        Err(errors) => {
            let start = string_content_start(r, value);
            for e in errors {
                let span = match start {
                    Some(s) => s + e.span.start..s + e.span.end,
                    // Escapes or a multi-line string: inner offsets no longer line up with the
                    // file, so point at the whole value rather than at a wrong column.
                    None => value.span.clone(),
                };
                let message = format!("in condition `{}`: {}", value.value, e.message);
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

/// Fragment offset of the first character inside the quotes, when the string is written
/// verbatim (`"..."` or `'...'` with no escapes), so expression offsets map 1:1.
fn string_content_start(r: &Reporter, value: &Val<&str>) -> Option<usize> {
    let file_span = r.map(value.span.clone());
    let raw = r.text().get(file_span)?;
    let quote = raw.chars().next()?;
    let inner = raw.strip_prefix(quote)?.strip_suffix(quote)?;
    (matches!(quote, '"' | '\'') && inner == value.value).then_some(value.span.start + 1)
}
