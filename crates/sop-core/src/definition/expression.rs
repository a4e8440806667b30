//! The one place definitions call the condition-language parser; its error spans are mapped
//! into the file that holds the expression by `toml_read::inner_span`.

use crate::condition::Expr;
use crate::toml_read::Located;
use crate::toml_read::Reporter;
use crate::toml_read::inner_span;

/// Parses the expression held by the TOML string `value`, reporting each syntax problem at its
/// own position inside the file. `None` when the expression does not parse.
pub fn parse(r: &mut Reporter, value: &Located<&str>) -> Option<Expr> {
    match Expr::parse(value.value) {
        Ok(expr) => Some(expr),
        Err(errors) => {
            for e in errors {
                let span = inner_span(r, value, e.span.clone());
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

/// The expression on one line, for messages: a multi-line condition's line breaks and
/// indentation become single spaces; a one-line condition is shown as written.
pub fn one_line(source: &str) -> String {
    if source.contains('\n') {
        source.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        source.to_string()
    }
}
